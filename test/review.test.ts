import t from 'tap';
import { planAction, releaseHold } from '../core/action.js';
import type { LeadState } from '../core/action.js';
import type { Interpretation } from '../core/intent.js';

const ctx = { sender: '+33612345678', brand: 'BerinIA', providerReplied: false };
const HELD_AT = new Date('2026-11-24T09:00:00Z');
const AT = new Date('2026-11-24T10:00:00Z');

t.test('a reply held for review: the number is held, a person gets a task, nothing is sent', async (t) => {
  const read: Interpretation = {
    intent: 'OPT_OUT',
    confidence: 0.55,
    language: 'en',
    extracted: { scope: 'sms', email: 'a@b.fr' },
    secondary_intents: ['QUESTION'],
    review: true,
  };
  t.same(planAction(read, ctx), {
    name: 'review_hold',
    lead: { status: 'held', suppression: 'suppress', scope: 'all' },
    task: {
      kind: 'review',
      due_text: null,
      contact: '+33612345678',
      details: { scope: 'sms', email: 'a@b.fr', read_as: 'OPT_OUT', confidence: 0.55, secondary_intents: ['QUESTION'] },
    },
    reply: null,
    consent: { event: 'hold', scope: 'all', source: 'reply' },
  });
});

t.test('releasing a hold', async (t) => {
  const held: LeadState = { status: 'held', opted_out_at: HELD_AT, opt_out_scope: 'all' };
  const keep = { status: 'interested' as const, suppression: 'keep' as const, scope: null };
  t.same(releaseHold(held, keep, HELD_AT, false, AT), {
    status: 'interested',
    opted_out_at: null,
    opt_out_scope: null,
  });
  t.same(releaseHold(held, null, HELD_AT, false, AT), { status: 'active', opted_out_at: null, opt_out_scope: null });
  t.same(releaseHold(held, keep, HELD_AT, true, AT), held, 'another review still holds it');
  const optedIn: LeadState = { status: 'active', opted_out_at: null, opt_out_scope: null };
  t.same(releaseHold(optedIn, keep, HELD_AT, false, AT), optedIn, 'a later START decided already');
  const suppress = { status: 'opted_out' as const, suppression: 'suppress' as const, scope: 'calls' as const };
  t.same(releaseHold(held, suppress, HELD_AT, false, AT), {
    status: 'opted_out',
    opted_out_at: HELD_AT,
    opt_out_scope: 'calls',
  });
  t.same(releaseHold(optedIn, suppress, HELD_AT, false, AT), {
    status: 'opted_out',
    opted_out_at: AT,
    opt_out_scope: 'calls',
  });
  const before: LeadState = { status: 'held', opted_out_at: new Date('2026-11-01T00:00:00Z'), opt_out_scope: 'all' };
  t.same(releaseHold(before, suppress, HELD_AT, false, AT), {
    status: 'opted_out',
    opted_out_at: before.opted_out_at,
    opt_out_scope: 'all',
  });
  t.same(releaseHold(before, keep, HELD_AT, false, AT), { ...before, status: 'opted_out' });
});
