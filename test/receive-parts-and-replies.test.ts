import t from 'tap';
import { InMemoryPartStore } from '../adapters/memory/in-memory-part-store.js';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { ClassifierInterpreter, loadBundledModel } from '../adapters/interpreter/classifier-interpreter.js';
import { vonageFields } from '../adapters/vonage/kit.js';
import { vonageMultipart } from '../adapters/vonage/vonage-multipart.js';
import { VonageResponseListener } from '../adapters/vonage/vonage-response-listener.js';
import { failureCause, OutboxError, StorageError } from '../core/errors.js';
import { MAX_OPEN_MESSAGES, PARTS_WINDOW_MS } from '../core/parts.js';
import type { MultipartFormat } from '../core/ports/multipart-format.js';
import type { OutboundReply } from '../core/ports/reply-outbox.js';
import type { ResponseListener } from '../core/ports/response-listener.js';
import type { SignedRequest } from '../core/ports/signature-verifier.js';
import { ReceiveInboundMessage } from '../core/receive-inbound-message.js';

// The use case with a provider that sends long messages in parts and takes no reply in its webhook
// answer (Vonage's listener and part format, the in-memory part store and repository).
const NOW = new Date('2026-11-29T09:00:00Z');
const interpreter = new ClassifierInterpreter(loadBundledModel());

function setup(options: { format?: MultipartFormat; enqueue?: (reply: OutboundReply) => Promise<void> } = {}) {
  const queued: OutboundReply[] = [];
  const repository = new InMemoryRepository();
  const listener = new VonageResponseListener();
  let listened = 0;
  const counting: ResponseListener = {
    provider: listener.provider,
    answer: () => listener.answer(),
    listen: (fields, at) => {
      listened += 1;
      return listener.listen(fields, at);
    },
  };
  let now = NOW;
  const receive = new ReceiveInboundMessage({
    verifier: { verify: (request) => request.headers['x-test-signed'] === 'yes' },
    listener: counting,
    interpreter,
    repository,
    clock: () => now,
    brand: 'BerinIA',
    parts: { store: new InMemoryPartStore(), format: options.format ?? vonageMultipart },
    outbox: { enqueue: options.enqueue ?? (async (reply) => void queued.push(reply)) },
  });
  const signed = (fields: Record<string, string>): SignedRequest => ({
    url: 'https://app.berinia.test/webhook/vonage/sms-response',
    method: 'POST',
    headers: { 'x-test-signed': 'yes' },
    fields,
  });
  return {
    receive,
    repository,
    queued,
    signed,
    listened: () => listened,
    at: (time: Date) => void (now = time),
  };
}

const part = (ref: string, n: number, total: number, text: string, msisdn = '33612345678') =>
  vonageFields(
    {
      msisdn,
      messageId: `P${ref}X${n}`,
      text,
      concat: 'true',
      'concat-ref': ref,
      'concat-total': String(total),
      'concat-part': String(n),
    },
    NOW,
  );

t.test('a whole message: verified and read once, stored, its reply queued', async (t) => {
  const { receive, queued, signed, listened, repository } = setup();
  const outcome = await receive.execute(signed(vonageFields({ text: 'STOP' }, NOW)));
  t.match(outcome, { kind: 'stored', intent: 'OPT_OUT', action: 'suppressed' });
  t.equal(listened(), 1, 'read once');
  t.match(queued, [{ provider: 'vonage', to: '+33612345678', from: '+33757000002', text: /ne recevrez plus/ }]);
  t.equal(queued[0]?.inbound_message_id, outcome.kind === 'stored' ? outcome.id : '');
  t.equal((await repository.findLead('+33612345678'))?.status, 'opted_out');
  t.match(await receive.execute({ ...signed(vonageFields({}, NOW)), headers: {} }), { kind: 'forbidden' });
  t.match(await receive.execute(signed(vonageFields({ msisdn: undefined }, NOW))), { kind: 'invalid' });
});

t.test(
  'a retry of a message with a reply queues it again (the outbox ignores the copy); no reply, nothing queued',
  async (t) => {
    const { receive, queued, signed } = setup();
    const fields = vonageFields({ text: 'STOP' }, NOW);
    const first = await receive.execute(signed(fields));
    const again = await receive.execute(signed(fields));
    t.match(again, { kind: 'duplicate', id: first.kind === 'stored' ? first.id : '' });
    t.equal(queued.length, 2, 'queued on the retry too: a crash between storing and queuing is mended');
    t.equal(queued[0]?.inbound_message_id, queued[1]?.inbound_message_id);
    await receive.execute(signed(vonageFields({ text: 'Oui, rappelez-moi demain à 10h' }, NOW)));
    t.equal(queued.length, 2, 'a call-back request sends no reply');
  },
);

t.test('a reply that cannot be queued is an OutboxError, after the message is stored', async (t) => {
  const { receive, signed, repository } = setup({
    enqueue: async () => {
      throw new StorageError('queueing a reply failed');
    },
  });
  const fields = vonageFields({ text: 'STOP' }, NOW);
  const error = await receive.execute(signed(fields)).catch((caught: unknown) => caught);
  t.type(error, OutboxError);
  t.equal(failureCause(error), 'outbox');
  t.type((error as OutboxError).cause, StorageError);
  t.ok(await repository.findMessage('vonage', fields['messageId'] as string), 'the message itself is stored');
});

t.test('parts: each is held until the last arrives, then the message is read once, whole', async (t) => {
  const { receive, signed, listened, queued } = setup();
  t.match(await receive.execute(signed(part('9', 2, 3, 'écrire, retirez mon num'))), {
    kind: 'held',
    part: 2,
    total: 3,
    received: 1,
  });
  t.match(await receive.execute(signed(part('9', 1, 3, 'Merci de ne plus m’'))), { kind: 'held', received: 2 });
  const whole = await receive.execute(signed(part('9', 3, 3, 'éro de votre liste.')));
  t.match(whole, { kind: 'stored', intent: 'OPT_OUT' });
  t.equal(
    whole.kind === 'stored' && whole.message.content,
    'Merci de ne plus m’écrire, retirez mon numéro de votre liste.',
  );
  t.equal(whole.kind === 'stored' && whole.message.message_id, 'P9X1', 'the first part’s id');
  t.equal(listened(), 4, 'each part read once, the whole message once');
  t.equal(queued.length, 1);
  t.match(
    await receive.execute(signed(part('9', 2, 3, 'écrire, retirez mon num'))),
    { kind: 'duplicate' },
    'a retried part',
  );
});

t.test('incomplete messages are read as they are once the window has passed', async (t) => {
  const { receive, signed, at } = setup();
  await receive.execute(signed(part('4', 1, 2, 'STOP, ne m’écrivez plus')));
  t.same(await receive.expireStale(NOW), [], 'not yet');
  at(new Date(NOW.getTime() + PARTS_WINDOW_MS + 1000));
  const [read] = await receive.expireStale(new Date(NOW.getTime() + PARTS_WINDOW_MS + 1000));
  t.match(read, { kind: 'stored', intent: 'OPT_OUT', message: { extracted_data: { incomplete: '1/2' } } });
  t.same(await receive.expireStale(new Date(NOW.getTime() + 2 * PARTS_WINDOW_MS)), [], 'read once');
});

t.test('one sender cannot keep more than MAX_OPEN_MESSAGES incomplete: the others are read now', async (t) => {
  const { receive, signed, repository } = setup();
  for (let ref = 0; ref <= MAX_OPEN_MESSAGES; ref += 1) {
    t.match(await receive.execute(signed(part(String(ref), 1, 2, `partie ${ref}`))), { kind: 'held' });
  }
  const stored = (await repository.listLeads()).length;
  t.equal(stored, 1, 'the sender’s earlier messages were read and stored');
  const again = await receive.execute(signed(part(String(MAX_OPEN_MESSAGES), 2, 2, ' fin')));
  t.match(again, { kind: 'stored' }, 'the newest still joins its last part');
});

t.test('a joined message that does not read is a bug, not a 400 for the provider', async (t) => {
  const broken: MultipartFormat = { partOf: vonageMultipart.partOf, join: () => ({}) };
  const { receive, signed } = setup({ format: broken });
  await receive.execute(signed(part('5', 1, 2, 'a')));
  const error = await receive.execute(signed(part('5', 2, 2, 'b'))).catch((caught: unknown) => caught);
  t.match(error, { message: /joined from its parts does not read: missing field/ });
  t.equal(failureCause(error), 'bug');
});

t.test('without parts or an outbox, expiring reads nothing and nothing is queued', async (t) => {
  const receive = new ReceiveInboundMessage({
    verifier: { verify: () => true },
    listener: new VonageResponseListener(),
    interpreter,
    repository: new InMemoryRepository(),
    clock: () => NOW,
    brand: 'BerinIA',
  });
  t.same(await receive.expireStale(NOW), []);
  const request = { url: 'x', method: 'POST', headers: {}, fields: part('6', 1, 2, 'STOP') };
  t.match(await receive.execute(request), { kind: 'stored' }, 'a part is read alone when parts are not assembled');
});
