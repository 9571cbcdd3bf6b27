import t from 'tap';
import { sql } from 'kysely';
import twilio from 'twilio';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { createPgliteDatabase } from '../adapters/pglite/pglite-database.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import type { Database } from '../adapters/postgres/schema.js';
import { TwilioSignatureVerifier } from '../adapters/twilio/twilio-signature-verifier.js';
import { TwilioStatusListener } from '../adapters/twilio/twilio-status-listener.js';
import { VonageReceiptListener } from '../adapters/vonage/vonage-receipt-listener.js';
import { TOKENS } from '../app/tokens.js';
import { ReceiveDeliveryReceipt } from '../core/receive-delivery-receipt.js';
import { createMigratedDatabase } from './fixtures/postgres.js';
import { TEST_VONAGE_SECRET, vonageSig } from './fixtures/providers.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN } from './fixtures/service.js';
import { inboundFields, messageSid, postSigned } from './fixtures/twilio.js';

const NOW = new Date('2026-11-29T10:00:00Z');

/** A Twilio status callback's fields (the shape of Twilio's documented example). */
function statusFields(sid: string, status: string, to = '+33612345678', code?: string): Record<string, string> {
  return {
    SmsSid: sid,
    SmsStatus: status,
    MessageStatus: status,
    To: to,
    MessageSid: sid,
    AccountSid: `AC${'0'.repeat(32)}`,
    From: '+33757000001',
    ApiVersion: '2010-04-01',
    ...(code === undefined ? {} : { ErrorCode: code }),
  };
}

t.test('Twilio status callbacks: statuses mapped, error codes classified, bad shapes refused', async (t) => {
  const listener = new TwilioStatusListener();
  const sid = messageSid();
  t.match(listener.listen(statusFields(sid, 'delivered'), NOW), {
    kind: 'receipt',
    receipt: { provider: 'twilio', message_id: sid, recipient: '+33612345678', status: 'delivered', error_code: null },
  });
  for (const [twilioStatus, ours] of [
    ['accepted', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['read', 'delivered'],
    ['canceled', 'failed'],
  ]) {
    t.match(listener.listen(statusFields(sid, twilioStatus as string), NOW), { receipt: { status: ours } });
  }
  for (const [code, errorClass] of [
    ['21610', 'opted_out'],
    ['30006', 'unreachable'],
    ['30003', 'temporary'],
    ['30007', 'content'],
    ['30999', 'temporary'],
  ]) {
    t.match(listener.listen(statusFields(sid, 'undelivered', '+33612345678', code), NOW), {
      receipt: { error_code: code, error_class: errorClass },
    });
  }
  t.match(listener.listen({ ...statusFields(sid, 'failed'), ErrorCode: '' }, NOW), { receipt: { error_code: null } });
  t.match(listener.listen({ ...statusFields(sid, 'sent'), MessageSid: 'x' }, NOW), { reason: /MessageSid/ });
  t.match(listener.listen({ ...statusFields(sid, 'sent'), To: '0612' }, NOW), { reason: /To missing/ });
  t.match(listener.listen({ ...statusFields(sid, 'received') }, NOW), { reason: "unknown MessageStatus 'received'" });
  const { MessageStatus: _status, ...withoutStatus } = statusFields(sid, 'sent');
  t.match(listener.listen(withoutStatus, NOW), { reason: "unknown MessageStatus ''" });
  t.match(listener.listen({ ...statusFields(sid, 'failed'), ErrorCode: '3O006' }, NOW), { reason: /ErrorCode/ });
  t.match(listener.listen({ ...statusFields(sid, 'sent'), MessageSid: [sid, sid] }, NOW), { kind: 'invalid' });
});

t.test('Vonage delivery receipts: statuses mapped, err-code classified, bad shapes refused', async (t) => {
  const listener = new VonageReceiptListener();
  const fields = (status: string, code = '0') => ({
    msisdn: '33612345678',
    to: 'BerinIA',
    messageId: '0A0000001234ABCD',
    status,
    'err-code': code,
    scts: '2611291000',
  });
  t.match(listener.listen(fields('delivered'), NOW), {
    receipt: { provider: 'vonage', recipient: '+33612345678', status: 'delivered', error_code: null },
  });
  for (const [status, ours] of [
    ['buffered', 'sending'],
    ['accepted', 'sent'],
    ['expired', 'undelivered'],
    ['rejected', 'failed'],
  ]) {
    t.match(listener.listen(fields(status as string), NOW), { receipt: { status: ours } });
  }
  t.match(listener.listen(fields('failed', '9'), NOW), { receipt: { error_code: '9', error_class: 'opted_out' } });
  t.match(listener.listen(fields('failed', '6'), NOW), { receipt: { error_class: 'content' } });
  t.match(listener.listen(fields('failed', '42'), NOW), { receipt: { error_class: 'temporary' } });
  const { 'err-code': _code, ...noCode } = fields('delivered');
  t.match(listener.listen(noCode, NOW), { receipt: { error_code: null } });
  t.match(listener.listen({ ...fields('delivered'), messageId: '' }, NOW), { reason: 'missing field messageId' });
  t.match(listener.listen({ ...fields('delivered'), msisdn: 'x' }, NOW), { reason: 'missing field msisdn' });
  t.match(listener.listen(fields('lost'), NOW), { reason: "unknown status 'lost'" });
  const { status: _status, ...noStatus } = fields('delivered');
  t.match(listener.listen(noStatus, NOW), { reason: "unknown status ''" });
  t.match(listener.listen(fields('failed', 'E1'), NOW), { reason: 'err-code is not a number' });
});

t.test('the use case: verified, stored once, the error’s consent appended', async (t) => {
  const repository = new InMemoryRepository();
  const receive = new ReceiveDeliveryReceipt({
    verifier: new TwilioSignatureVerifier([TEST_TOKEN]),
    listener: new TwilioStatusListener(),
    repository,
  });
  const url = `${PUBLIC_URL}/webhook/sms-status`;
  const signed = (fields: Record<string, string>) => ({
    url,
    method: 'POST',
    headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_TOKEN, url, fields) },
    fields,
  });
  const stop = statusFields(messageSid(), 'failed', '+33612345001', '21610');
  t.match(await receive.execute(signed(stop)), {
    kind: 'recorded',
    status: 'failed',
    consent: { event: 'opt_out', scope: 'sms', source: 'provider_keyword', evidence: { error_code: '21610' } },
  });
  t.same(await receive.execute(signed(stop)), { kind: 'repeated' });
  t.same(await receive.execute({ ...signed(stop), headers: {} }), { kind: 'forbidden' });
  t.match(await receive.execute(signed({ ...stop, To: 'nobody' })), { kind: 'invalid' });
  const landline = statusFields(messageSid(), 'undelivered', '+33144440001', '30006');
  t.match(await receive.execute(signed(landline)), {
    consent: { event: 'suppress', source: 'delivery_error', evidence: { reason: 'the number cannot receive SMS' } },
  });
  const flaky = statusFields(messageSid(), 'undelivered', '+33612345002', '30003');
  t.match(await receive.execute(signed(flaky)), { kind: 'recorded', consent: null }, 'one temporary failure');
  const filtered = statusFields(messageSid(), 'undelivered', '+33612345003', '30007');
  t.match(await receive.execute(signed(filtered)), { kind: 'recorded', consent: null }, 'carrier filtering');
  t.match(await repository.findLead('+33612345001'), { status: 'opted_out', opt_out_scope: 'sms' });
});

t.test('through the service on Postgres: callbacks in every order, contactability, metrics', async (t) => {
  const { baseUrl, service } = await startTestService(t, {
    env: { PROVIDERS: 'twilio,vonage', VONAGE_SIGNATURE_SECRET: TEST_VONAGE_SECRET, VONAGE_SIGNATURE_METHOD: 'sha256' },
  });
  const repository = service.container.resolve(TOKENS.Repository);
  const post = (fields: Record<string, string>, token = TEST_TOKEN) =>
    fetch(`${baseUrl}/webhook/sms-status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(token, `${PUBLIC_URL}/webhook/sms-status`, fields),
      },
      body: new URLSearchParams(fields),
    });
  const orders = [
    ['sent', 'delivered', 'sending'],
    ['delivered', 'sending', 'sent'],
    ['sending', 'delivered', 'sent', 'delivered'],
  ];
  for (const order of orders) {
    const sid = messageSid();
    for (const status of order) {
      const res = await post(statusFields(sid, status));
      t.equal(res.status, 200);
      t.equal(await res.text(), '', 'an empty 200');
    }
    t.match(await repository.findDelivery('twilio', sid), { status: 'delivered' }, order.join(' → '));
  }
  t.equal((await post(statusFields(messageSid(), 'sent'), 'wrong-token')).status, 403);
  t.equal((await post({ ...statusFields(messageSid(), 'sent'), MessageStatus: 'lost' })).status, 400);

  await post(statusFields(messageSid(), 'failed', '+33612349999', '21610'));
  const vonage = {
    msisdn: '33144448888',
    to: 'BerinIA',
    messageId: '0A00000099999999',
    status: 'failed',
    'err-code': '3',
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const query = new URLSearchParams({ ...vonage, sig: vonageSig('sha256', TEST_VONAGE_SECRET, vonage) });
  const receipt = await fetch(`${baseUrl}/webhook/vonage/delivery-receipt?${query.toString()}`);
  t.equal(receipt.status, 200, 'Vonage GET');

  const one = await fetch(`${baseUrl}/v1/contactability?phone=${encodeURIComponent('06 12 34 99 99')}`);
  t.equal(one.status, 200);
  t.match(await one.json(), { phone: '+33612349999', sms: false, calls: true, reason: /^opt_out \(provider_keyword/ });
  const bulk = await fetch(`${baseUrl}/v1/contactability`, {
    method: 'POST',
    body: JSON.stringify({ phones: ['+33144448888', '+33611110000', 'hello'] }),
  });
  const [suppressed] = await repository.consentHistory('+33144448888');
  const reason = `suppress (delivery_error 3) ${suppressed?.occurred_at.toISOString()}`;
  t.same(await bulk.json(), [
    { phone: '+33144448888', sms: false, calls: true, reason },
    { phone: '+33611110000', sms: true, calls: true, reason: null },
    { phone: 'hello', error: 'not a phone number' },
  ]);
  const array = await fetch(`${baseUrl}/v1/contactability`, { method: 'POST', body: '["+33611110000"]' });
  t.match(await array.json(), [{ sms: true }], 'a plain JSON array too');
  t.equal((await fetch(`${baseUrl}/v1/contactability`)).status, 400, 'GET without a phone');
  t.equal((await fetch(`${baseUrl}/v1/contactability?x=1`)).status, 400);
  t.equal((await fetch(`${baseUrl}/v1/contactability`, { method: 'POST', body: 'nope' })).status, 400);
  t.equal((await fetch(`${baseUrl}/v1/contactability`, { method: 'POST', body: '{"phones":[1]}' })).status, 400);
  t.equal((await fetch(`${baseUrl}/v1/contactability`, { method: 'POST', body: 'null' })).status, 400);
  const many = JSON.stringify(Array.from({ length: 1001 }, () => '+33611110000'));
  t.equal((await fetch(`${baseUrl}/v1/contactability`, { method: 'POST', body: many })).status, 413);
  t.equal((await fetch(`${baseUrl}/v1/contactability`, { method: 'DELETE' })).status, 405);

  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  for (const line of [
    'berinia_deliveries_total{provider="twilio",status="delivered",error_code="none"} 3',
    'berinia_deliveries_total{provider="twilio",status="failed",error_code="21610"} 1',
    'berinia_deliveries_total{provider="vonage",status="failed",error_code="3"} 1',
    'berinia_consent_events_total{event="opt_out",source="provider_keyword"} 1',
    'berinia_consent_events_total{event="suppress",source="delivery_error"} 1',
  ]) {
    t.ok(metrics.includes(line), line);
  }
});

t.test('an opt-out reply: on the compliance clock, and its ledger entry', async (t) => {
  const { baseUrl, service } = await startTestService(t);
  const { postSigned, inboundFields } = await import('./fixtures/twilio.js');
  const fields = inboundFields({ Body: 'STOP', From: '+33612348888' });
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)).status, 200);
  const [event] = await service.container.resolve(TOKENS.Repository).consentHistory('+33612348888');
  t.match(event?.evidence, {
    words: 'STOP',
    intent: 'OPT_OUT',
    signature_verified: true,
    interpreter_version: /^[0-9a-f]{12}$/,
  });
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  t.match(metrics, /berinia_opt_out_seconds_count 1/);
  t.match(metrics, /berinia_consent_events_total\{event="opt_out",source="reply"\} 1/);
});

t.test('the ledger refuses UPDATE, DELETE and TRUNCATE, on Postgres and PGlite', async (t) => {
  const { db: postgres } = await createMigratedDatabase(t);
  const pglite = await createPgliteDatabase<Database>(null);
  await migrateToLatest(pglite);
  t.teardown(() => pglite.destroy());
  for (const [name, db] of [
    ['postgres', postgres],
    ['pglite', pglite],
  ] as const) {
    await sql`insert into consent_events (phone, event, scope, source, evidence, occurred_at)
      values ('+33600000001', 'opt_out', 'all', 'operator', '{}', now())`.execute(db);
    for (const statement of [
      sql`update consent_events set scope = 'sms'`,
      sql`delete from consent_events`,
      sql`truncate consent_events`,
    ]) {
      await t.rejects(statement.execute(db), /consent_events is append-only/, `${name}: refused`);
    }
    const rows = await sql<{ scope: string }>`select scope from consent_events`.execute(db);
    t.same(rows.rows, [{ scope: 'all' }], `${name}: the event is intact`);
    await t.rejects(
      sql`insert into consent_events (phone, event, scope, source, evidence, occurred_at)
        values ('+33600000001', 'forgot', 'all', 'operator', '{}', now())`.execute(db),
      /check constraint/,
      `${name}: only known events`,
    );
  }
});

t.test('a provider that sends no receipts: its inbound route only, the receipt path unknown', async (t) => {
  const { baseUrl } = await startTestService(t, {
    adjust: (config) => ({
      ...config,
      providers: config.providers.map(({ receiptRoute: _route, ...provider }) => ({
        ...provider,
        create: (context) => ({ ...provider.create(context), receipts: undefined }),
      })),
    }),
  });
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields())).status, 200, 'replies are read');
  const fields = statusFields(messageSid(), 'delivered');
  const res = await fetch(`${baseUrl}/webhook/sms-status`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TEST_TOKEN, `${PUBLIC_URL}/webhook/sms-status`, fields),
    },
    body: new URLSearchParams(fields),
  });
  t.equal(res.status, 404, 'no route for receipts it never sends');
});
