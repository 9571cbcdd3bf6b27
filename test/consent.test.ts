import t from 'tap';
import { leadAfterReview } from '../core/action.js';
import { permissionsOf, refusedScope, suppressionsOf } from '../core/consent.js';
import type { ConsentEvent } from '../core/consent.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 9, minute));
/** A ledger event at 9:`minute`, from a reply (or an import), about message `held`. */
function event(phone: string, kind: ConsentEvent['event'], scope: ConsentEvent['scope'], minute: number, held = '1') {
  const source = kind === 'import' ? 'import' : 'reply';
  const evidence = { inbound_message_id: held };
  return { phone, event: kind, scope, source, evidence, occurred_at: at(minute) } satisfies ConsentEvent;
}

t.test('permissions from a ledger: refusals add up, an opt-in lifts all, holds refuse until released', async (t) => {
  t.same(permissionsOf([]), { sms: true, calls: true, reason: null });
  const calls = event('+1', 'opt_out', 'calls', 1);
  t.same(permissionsOf([calls]), { sms: true, calls: false, reason: `opt_out (reply) ${at(1).toISOString()}` });
  t.same(permissionsOf([calls, event('+1', 'suppress', 'sms', 2)]), {
    sms: false,
    calls: false,
    reason: `opt_out (reply) ${at(1).toISOString()}`,
  });
  t.same(permissionsOf([calls, event('+1', 'opt_in', 'all', 3)]), { sms: true, calls: true, reason: null });
  const hold = event('+1', 'hold', 'all', 4, '7');
  t.same(permissionsOf([hold]), { sms: false, calls: false, reason: 'held for review' });
  t.same(permissionsOf([hold, event('+1', 'release', 'all', 5, '8')]).sms, false, 'another message’s release');
  t.same(permissionsOf([hold, event('+1', 'release', 'all', 5, '7')]).sms, true);
  const noMessage = { ...hold, evidence: {} };
  t.same(permissionsOf([noMessage, { ...noMessage, event: 'release' }]).sms, true, 'holds keyed even without an id');
});

t.test('refusedScope and suppression lists', async (t) => {
  t.equal(refusedScope({ sms: true, calls: true, reason: null }), null);
  t.equal(refusedScope({ sms: false, calls: false, reason: 'x' }), 'all');
  t.equal(refusedScope({ sms: false, calls: true, reason: 'x' }), 'sms');
  t.equal(refusedScope({ sms: true, calls: false, reason: 'x' }), 'calls');
  t.same(
    suppressionsOf([
      event('+1', 'import', 'sms', 1),
      event('+2', 'opt_out', 'all', 2),
      event('+3', 'opt_out', 'calls', 3),
      event('+3', 'opt_in', 'all', 4),
      event('+4', 'hold', 'all', 5),
      event('+1', 'opt_out', 'calls', 6),
    ]),
    [
      { phone: '+1', since: at(1), scope: 'all', source: 'import' },
      { phone: '+2', since: at(2), scope: 'all', source: 'reply' },
      { phone: '+4', since: at(5), scope: 'all', source: 'reply' },
    ],
  );
});

t.test('the lead after a review follows its ledger', async (t) => {
  const released = { status: 'opted_out' as const, opted_out_at: null, opt_out_scope: 'all' as const };
  t.same(leadAfterReview(released, { sms: true, calls: true, reason: null }, at(9)), {
    status: 'active',
    opted_out_at: null,
    opt_out_scope: null,
  });
  t.same(leadAfterReview({ ...released, status: 'interested' }, { sms: true, calls: true, reason: null }, at(9)), {
    status: 'interested',
    opted_out_at: null,
    opt_out_scope: null,
  });
  t.same(leadAfterReview(released, { sms: false, calls: true, reason: 'x' }, at(9)), {
    status: 'opted_out',
    opted_out_at: at(9),
    opt_out_scope: 'sms',
  });
  t.same(leadAfterReview({ ...released, opted_out_at: at(1) }, { sms: true, calls: false, reason: 'x' }, at(9)), {
    status: 'opted_out',
    opted_out_at: at(1),
    opt_out_scope: 'calls',
  });
});
