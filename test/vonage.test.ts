import t from 'tap';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AlgorithmTypes } from '@vonage/auth';
import { SMS } from '@vonage/sms';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { PGlite } from '@electric-sql/pglite';
import { jobId } from '../adapters/outbox/pg-boss-outbox.js';
import { createPgliteDatabase, PGLITE_TEMPLATE, pgliteStatements } from '../adapters/pglite/pglite-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import { MAX_JOINED_TEXT, vonageMultipart } from '../adapters/vonage/vonage-multipart.js';
import { VonageResponseListener } from '../adapters/vonage/vonage-response-listener.js';
import { VonageSignatureVerifier, VONAGE_SIGNATURE_METHODS } from '../adapters/vonage/vonage-signature-verifier.js';
import type { VonageSignatureMethod } from '../adapters/vonage/vonage-signature-verifier.js';
import { VonageSmsApi } from '../adapters/vonage/vonage-sms-api.js';
import type { SignedRequest } from '../core/ports/signature-verifier.js';
import { loadConfig } from '../app/config.js';
import { createOutbox } from '../app/jobs.js';
import { createLogger } from '../app/logger.js';
import { startFakeVonage } from './fixtures/fake-vonage.js';
import { PUBLIC_URL, TEST_VONAGE_SECRET, vonageFields, vonageSig } from './fixtures/providers.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const SDK_ALGORITHMS: Record<VonageSignatureMethod, AlgorithmTypes> = {
  md5hash: AlgorithmTypes.md5hash,
  md5: AlgorithmTypes.md5hmac,
  sha1: AlgorithmTypes.sha1hmac,
  sha256: AlgorithmTypes.sha256hmac,
  sha512: AlgorithmTypes.sha512hmac,
};

function verifier(method: VonageSignatureMethod, clock = () => NOW): VonageSignatureVerifier {
  return new VonageSignatureVerifier({
    secrets: [TEST_VONAGE_SECRET],
    method,
    maxAgeSeconds: 25 * 3600,
    maxSkewSeconds: 300,
    clock,
  });
}

function request(fields: Record<string, string | string[]>): SignedRequest {
  return { url: `${PUBLIC_URL}/webhook/vonage/sms-response`, method: 'GET', headers: {}, fields };
}

t.test('signatures: vectors from Vonage’s SDK, for every method', async (t) => {
  const sdk = new SMS({ apiKey: 'abcd1234', apiSecret: 'unused' });
  for (const method of VONAGE_SIGNATURE_METHODS) {
    t.test(method, async (t) => {
      // Values with & and =, accents and emoji: what Vonage's rules turn into _ and what they keep.
      const fields = vonageFields({ text: 'Oui & non = peut-être 👍🏽', keyword: 'OUI' }, NOW);
      const sig = vonageSig(method, TEST_VONAGE_SECRET, fields);
      t.equal(sdk.verifySignature(sig, fields, TEST_VONAGE_SECRET, SDK_ALGORITHMS[method]), true, 'the SDK agrees');
      t.equal(verifier(method).verify(request({ ...fields, sig })), true);
      t.equal(verifier(method).verify(request({ ...fields, sig: sig.toUpperCase() })), true, 'hex in any case');
      const other = VONAGE_SIGNATURE_METHODS.find((m) => m !== method) as VonageSignatureMethod;
      t.equal(verifier(other).verify(request({ ...fields, sig })), false, 'another method does not match');
    });
  }
});

t.test('signatures: the replay window and malformed parameters', async (t) => {
  const signed = (at: Date, overrides: Record<string, string | undefined> = {}) => {
    const fields = vonageFields(overrides, at);
    return { ...fields, sig: vonageSig('sha256', TEST_VONAGE_SECRET, fields) } as Record<string, string> & {
      sig: string;
    };
  };
  const check = verifier('sha256');
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);
  t.equal(check.verify(request(signed(hoursAgo(24)))), true, 'a retry 24 h later (first timestamp) passes');
  t.equal(check.verify(request(signed(hoursAgo(26)))), false, 'older than the window');
  t.equal(check.verify(request(signed(new Date(NOW.getTime() + 240_000)))), true, 'small clock skew');
  t.equal(check.verify(request(signed(new Date(NOW.getTime() + 600_000)))), false, 'too far in the future');
  t.equal(check.verify(request(signed(NOW, { timestamp: undefined }))), false, 'no timestamp');
  t.equal(check.verify(request(signed(NOW, { timestamp: '17e8' }))), false, 'not a number');
  const good = signed(NOW);
  t.equal(check.verify(request({ ...good, sig: 'zz' + good.sig.slice(2) })), false, 'not hex');
  t.equal(check.verify(request({ ...good, sig: good.sig.slice(1) })), false, 'odd length');
  t.equal(check.verify(request({ ...good, sig: good.sig.slice(2) })), false, 'shorter');
  t.equal(check.verify(request({ ...good, nonce: [String(good['nonce']), 'x'] })), false, 'a repeated parameter');
  t.equal(check.verify(request({ ...good, sig: [good.sig, good.sig] })), false, 'a repeated sig');
});

t.test('listener: Vonage specifics', async (t) => {
  const listener = new VonageResponseListener();
  const heard = listener.listen(vonageFields({ keyword: 'OUI', 'message-timestamp': '2026-11-25 08:59:58' }), NOW);
  t.match(heard, {
    kind: 'message',
    providerKeyword: null,
    message: { extracted_data: { message_type: 'text', keyword: 'OUI', provider_timestamp: '2026-11-25 08:59:58' } },
  });

  const binary = listener.listen(vonageFields({ type: 'binary', text: undefined, data: '0102', udh: '050003' }), NOW);
  t.match(binary, {
    kind: 'message',
    message: { content: '', extracted_data: { binary: { data: '0102', udh: '050003' } } },
  });
  const bare = listener.listen(vonageFields({ type: 'binary', text: undefined, keyword: undefined }), NOW);
  t.match(bare, { message: { extracted_data: { binary: { data: '', udh: '' } } } });

  const alphanumeric = listener.listen(vonageFields({ msisdn: 'BERINIA' }), NOW);
  t.equal(alphanumeric.kind === 'message' && alphanumeric.message.sender, 'BERINIA', 'a sender name stays as is');

  t.same(listener.listen(vonageFields({ type: 'wap' }), NOW), { kind: 'invalid', reason: 'unknown message type wap' });
  t.same(listener.listen(vonageFields({ text: undefined }), NOW), { kind: 'invalid', reason: 'missing field text' });
  t.same(listener.listen({ ...vonageFields(), keyword: ['a', 'b'] }, NOW), {
    kind: 'invalid',
    reason: 'field keyword is repeated',
  });
  const concat = { concat: 'true', 'concat-ref': '12', 'concat-total': '3', 'concat-part': '2' };
  t.match(listener.listen(vonageFields(concat), NOW), {
    message: { extracted_data: { concat: { ref: '12', total: 3, part: 2 } } },
  });
  const invalidConcat = { kind: 'invalid', reason: 'invalid concat-ref, concat-total or concat-part' };
  for (const bad of [
    { 'concat-part': '4' },
    { 'concat-part': '0' },
    { 'concat-total': 'x' },
    { 'concat-total': '300', 'concat-part': '1' },
    { 'concat-ref': '' },
    { 'concat-ref': undefined },
    { 'concat-total': undefined },
    { 'concat-part': undefined },
  ]) {
    t.same(listener.listen(vonageFields({ ...concat, ...bad }), NOW), invalidConcat, JSON.stringify(bad));
  }
  t.same(listener.answer(), { status: 200, contentType: null, body: '' }, 'replies go through the API, not here');
});

t.test('multipart format: parts joined in order, one id', async (t) => {
  const listener = new VonageResponseListener();
  const whole = listener.listen(vonageFields(), NOW);
  t.equal(whole.kind === 'message' && vonageMultipart.partOf(whole.message), null);
  const single = listener.listen(
    vonageFields({ concat: 'true', 'concat-ref': '1', 'concat-total': '1', 'concat-part': '1' }),
    NOW,
  );
  t.equal(single.kind === 'message' && vonageMultipart.partOf(single.message), null, 'a one-part message is whole');
  const part = (n: number, text: string) => ({
    provider: 'vonage',
    message_id: `ID${n}`,
    sender: '+33612345678',
    recipient: '+33757000002',
    ref: '7',
    total: 2,
    part: n,
    fields: vonageFields({
      messageId: `ID${n}`,
      text,
      concat: 'true',
      'concat-ref': '7',
      'concat-total': '2',
      'concat-part': String(n),
    }),
    received_at: NOW,
  });
  const joined = vonageMultipart.join([part(1, 'Bonjour, rappelez-m'), part(2, 'oi demain à 10h')]);
  t.equal(joined['text'], 'Bonjour, rappelez-moi demain à 10h');
  t.equal(joined['messageId'], 'ID1');
  t.same(joined['concat-message-ids'], ['ID1', 'ID2']);
  t.notOk('concat' in joined || 'concat-ref' in joined || 'concat-part' in joined || 'concat-total' in joined);
  const binary = vonageMultipart.join([{ ...part(1, ''), fields: { type: 'binary' } }]);
  t.equal(binary['text'], '', 'a part without text adds nothing');
  t.notOk('text-truncated' in joined);
  const long = vonageMultipart.join([part(1, 'a'.repeat(1500)), part(2, 'b'.repeat(1500))]);
  t.equal((long['text'] as string).length, MAX_JOINED_TEXT, 'joined text capped at 1,600 characters, as Twilio caps');
  t.equal(long['text-truncated'], '3000', 'with the whole length');
});

t.test('job ids: one per provider and message, a valid UUID', async (t) => {
  const id = jobId({ provider: 'vonage', inbound_message_id: '42' });
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(jobId({ provider: 'vonage', inbound_message_id: '42' }), id);
  t.not(jobId({ provider: 'vonage', inbound_message_id: '43' }), id);
  t.not(jobId({ provider: 'twilio', inbound_message_id: '42' }), id);
});

t.test('Vonage SMS API client', async (t) => {
  const api = await startFakeVonage(t);
  const reply = {
    provider: 'vonage',
    inbound_message_id: '1',
    to: '+33612345678',
    from: '+33757000002',
    text: 'Merci ✔',
  };
  const client = new VonageSmsApi({ apiKey: 'key', apiSecret: 'secret', baseUrl: api.url, timeoutMs: 2000 });

  await client.send(reply);
  t.same(api.sent[0], {
    api_key: 'key',
    api_secret: 'secret',
    from: '33757000002',
    to: '33612345678',
    text: 'Merci ✔',
    type: 'unicode',
  });

  const fails = async (status: number, body: string, pattern: RegExp, retryable: boolean) => {
    api.answers.push({ status, body });
    await t.rejects(client.send(reply), { message: pattern, retryable }, `${status} ${body}`);
  };
  await fails(500, '{}', /answered HTTP 500/, true);
  await fails(429, '{}', /answered HTTP 429/, true);
  await fails(401, '{}', /answered HTTP 401/, false);
  await fails(200, 'not json', /without a message status/, true);
  await fails(200, '{"messages":[]}', /without a message status/, true);
  await fails(
    200,
    '{"messages":[{"status":"1","error-text":"Throughput Rate Exceeded"}]}',
    /status 1 \(Throughput/,
    true,
  );
  await fails(200, '{"messages":[{"status":"4"}]}', /status 4 \(no reason given\)/, false);

  await t.rejects(new VonageSmsApi({ apiKey: null, apiSecret: 'x', baseUrl: api.url, timeoutMs: 100 }).send(reply), {
    message: /VONAGE_API_KEY and VONAGE_API_SECRET are not set/,
    retryable: false,
  });
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  const unreachable = new VonageSmsApi({
    apiKey: 'k',
    apiSecret: 's',
    baseUrl: `http://127.0.0.1:${port}`,
    timeoutMs: 1000,
  });
  await t.rejects(unreachable.send(reply), { message: /Vonage API unreachable/, retryable: true });
});

t.test('the reply queue needs a database it can reach', async (t) => {
  const pglite = new PGlite({ loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE)]) }); // no initdb: seconds
  t.teardown(() => pglite.close());
  const foreign = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  t.equal(pgliteStatements(foreign), undefined, 'not one of ours');
  const config = loadConfig({ PROVIDERS: 'vonage' });
  t.throws(() => createOutbox(config, foreign, createLogger('silent')), /needs DATABASE_URL or the embedded database/);

  const ours = await createPgliteDatabase<Database>(null);
  t.teardown(() => ours.destroy());
  const statements = pgliteStatements(ours);
  t.same(await statements?.executeSql('select 1 as a; select 2 as b'), { rows: [{ b: 2 }] }, 'several statements');
  t.same(await statements?.executeSql('select $1::int as n', [3]), { rows: [{ n: 3 }] }, 'with values');
  t.same(await statements?.executeSql(''), { rows: [] }, 'nothing to run');
});

t.test('field shapes: what Vonage never sends is refused', async (t) => {
  const listener = new VonageResponseListener();
  const at = new Date('2026-11-24T09:00:00Z');
  const reason = (fields: Record<string, string | undefined>) => {
    const heard = listener.listen(vonageFields(fields), at);
    return heard.kind === 'invalid' ? heard.reason : 'accepted';
  };
  t.equal(reason({}), 'accepted');
  t.equal(reason({ 'msisdn=33699999999&x': '1' }), 'parameter name "msisdn=33699999999&x" is not one Vonage sends');
  t.equal(reason({ msisdn: '+33612345678' }), "field msisdn is not in Vonage's format");
  t.equal(reason({ msisdn: 'BerinIA' }), 'accepted', 'an alphanumeric sender');
  t.equal(reason({ messageId: 'id with spaces' }), "field messageId is not in Vonage's format");
  t.equal(reason({ to: '33757000002x' }), "field to is not in Vonage's format");
});
