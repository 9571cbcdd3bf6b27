import t from 'tap';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { ClassifierInterpreter, loadBundledModel } from '../adapters/interpreter/classifier-interpreter.js';
import { TwilioResponseListener } from '../adapters/twilio/twilio-response-listener.js';
import { TwilioSignatureVerifier } from '../adapters/twilio/twilio-signature-verifier.js';
import { planAction } from '../core/action.js';
import type { Intent, Interpretation } from '../core/intent.js';
import { INTENTS, isIntent } from '../core/intent.js';
import type { ResponseInterpreter } from '../core/ports/response-interpreter.js';
import { ReceiveInboundMessage } from '../core/receive-inbound-message.js';
import { inboundFields, sign } from './fixtures/twilio.js';

const URL_ = 'https://app.berinia.test/webhook/sms-response';
const NOW = new Date('2026-11-24T09:00:00.000Z');

const bundled = new ClassifierInterpreter(loadBundledModel());

function pipeline(
  interpreter: ResponseInterpreter = bundled,
  repository = new InMemoryRepository(),
  recentKeys?: number,
) {
  const receive = new ReceiveInboundMessage({
    verifier: new TwilioSignatureVerifier(['tok']),
    listener: new TwilioResponseListener(),
    interpreter,
    repository,
    clock: () => NOW,
    brand: 'BerinIA',
    ...(recentKeys === undefined ? {} : { recentKeys }),
  });
  const signed = (fields: Record<string, string>) =>
    receive.execute({
      url: URL_,
      method: 'POST',
      headers: { 'x-twilio-signature': sign('tok', URL_, fields) },
      fields,
    });
  return { repository, receive, signed };
}

t.test('verify, normalize, interpret, store, act', async (t) => {
  const { repository, signed } = pipeline();
  const fields = inboundFields({ Body: 'Stop' });
  const outcome = await signed(fields);
  t.match(outcome, {
    kind: 'stored',
    intent: 'OPT_OUT',
    action: 'suppressed',
    reply: /^BerinIA : vous ne recevrez plus/,
  });
  if (outcome.kind !== 'stored') return;
  t.same(
    { ...outcome.message, raw_data: { ...outcome.message.raw_data } },
    {
      source: 'sms',
      provider: 'twilio',
      message_id: fields.MessageSid,
      sender: '+33612345678',
      recipient: '+33757000001',
      content: 'Stop',
      campaign_id: null,
      received_at: NOW,
      extracted_data: { scope: 'all' },
      raw_data: fields,
    },
    'the normalized message, with what the interpreter extracted',
  );
  t.equal((await repository.findLead('+33612345678'))?.status, 'opted_out');
  t.same(await signed(fields), { kind: 'duplicate', id: outcome.id, reply: outcome.reply });
});

t.test('the confirmation is in the sender’s language', async (t) => {
  const { signed } = pipeline();
  t.match(await signed(inboundFields({ Body: 'please stop' })), {
    intent: 'OPT_OUT',
    reply: /^BerinIA: you will not receive/,
  });
  t.match(await signed(inboundFields({ Body: 'ARRET' })), {
    intent: 'OPT_OUT',
    reply: /^BerinIA : vous ne recevrez plus/,
  });
});

t.test('a forbidden or invalid request stores nothing', async (t) => {
  const { repository, receive, signed } = pipeline();
  const fields = inboundFields();
  t.same(await receive.execute({ url: URL_, method: 'POST', headers: {}, fields }), { kind: 'forbidden' });
  t.same(await signed(inboundFields({ From: undefined })), { kind: 'invalid', reason: 'missing field From' });
  t.same(await signed(inboundFields({ To: '' })), { kind: 'invalid', reason: 'empty field To' });
  t.same(await repository.listLeads(), []);
  t.equal(await repository.findMessage('twilio', fields.MessageSid as string), undefined);
});

t.test('the provider’s own keyword handling decides, and we do not reply twice', async (t) => {
  const { repository, signed } = pipeline();
  const stop = await signed(
    inboundFields({ Body: 'Je veux que ça s’arrête', OptOutType: 'stop', From: '+33600000010' }),
  );
  t.match(stop, { kind: 'stored', intent: 'OPT_OUT', reply: null });
  t.equal((await repository.findLead('+33600000010'))?.status, 'opted_out');
  const start = await signed(inboundFields({ Body: 'START', OptOutType: 'START', From: '+33600000010' }));
  t.match(start, { kind: 'stored', intent: 'OPT_IN', reply: null });
  t.equal((await repository.findLead('+33600000010'))?.opted_out_at, null, 'START lifts it');
  t.match(await signed(inboundFields({ Body: 'info', OptOutType: 'HELP' })), { intent: 'HELP', reply: null });
  t.match(
    await signed(inboundFields({ Body: 'info', OptOutType: 'SOMETHING' })),
    { intent: 'HELP', reply: /STOP/ },
    'an unknown OptOutType is ignored',
  );
});

t.test('an interpreter bug does not lose the message', async (t) => {
  const failing: ResponseInterpreter = {
    interpret() {
      throw new Error('regex exploded');
    },
  };
  const { repository, signed } = pipeline(failing);
  const fields = inboundFields({ Body: 'Bonjour' });
  const outcome = await signed(fields);
  t.match(outcome, {
    kind: 'stored',
    intent: 'UNKNOWN',
    action: 'review_hold',
    interpreterError: { message: 'regex exploded' },
  });
  t.equal((await repository.findMessage('twilio', fields.MessageSid as string))?.intent, 'UNKNOWN');
  t.match(
    await repository.listReviews(),
    [{ kind: 'review', text: 'Bonjour' }],
    'a person reads what the interpreter could not',
  );
  const keyword = await signed(inboundFields({ Body: 'STOP', OptOutType: 'STOP', From: '+33600000011' }));
  t.match(keyword, { intent: 'OPT_OUT' }, 'the provider keyword still applies');
  t.equal((await repository.findLead('+33600000011'))?.status, 'opted_out');
  const thrower: ResponseInterpreter = {
    interpret() {
      throw 'not an error object';
    },
  };
  t.match(await pipeline(thrower).signed(inboundFields()), { interpreterError: { message: 'not an error object' } });
});

t.test('extracted data and secondary intents are stored with the message', async (t) => {
  const fixed: ResponseInterpreter = {
    interpret: (): Interpretation => ({
      intent: 'CALLBACK_REQUEST',
      confidence: 0.8,
      language: 'fr',
      extracted: { when_text: 'demain à 10h', phone: '+33123456789' },
      secondary_intents: ['INTERESTED'],
      review: false,
    }),
  };
  const { repository, signed } = pipeline(fixed);
  const fields = inboundFields({ NumMedia: '2', MediaUrl0: 'u0', MediaContentType0: 'image/png', MediaUrl1: 'u1' });
  await signed(fields);
  const stored = await repository.findMessage('twilio', fields.MessageSid as string);
  t.same(stored?.extracted_data, {
    media: [
      { url: 'u0', content_type: 'image/png' },
      { url: 'u1', content_type: null },
    ],
    when_text: 'demain à 10h',
    phone: '+33123456789',
    secondary_intents: ['INTERESTED'],
  });
  const [task] = await repository.listOpenTasks();
  t.match(task, { kind: 'callback', contact: '+33123456789', due_text: 'demain à 10h', phone: '+33612345678' });
});

t.test('every intent has an action; replies follow the sender’s language', async (t) => {
  const ctx = { sender: '+33612345678', brand: 'Acme', providerReplied: false };
  const read = (intent: Intent, language: 'fr' | 'en' = 'fr', extracted = {}): Interpretation => ({
    intent,
    confidence: 1,
    language,
    extracted,
    secondary_intents: [],
    review: false,
  });
  const names = INTENTS.map((intent) => planAction(read(intent), ctx).name);
  t.same(names, [
    'suppressed',
    'resubscribed',
    'help_sent',
    'lead_interested',
    'lead_not_interested',
    'callback_task',
    'meeting_task',
    'lead_question',
    'wrong_number_suppressed',
    'none',
  ]);
  t.match(planAction(read('OPT_OUT', 'en'), ctx), { reply: /^Acme: you will not receive/, lead: { scope: 'all' } });
  t.match(planAction(read('OPT_OUT', 'fr', { scope: 'sms' }), ctx), {
    lead: { scope: 'sms', suppression: 'suppress' },
  });
  t.match(
    planAction(read('OPT_OUT', 'fr', { scope: 'email' }), ctx),
    { lead: { scope: 'all' } },
    'a scope that is not sms, calls or all suppresses everything',
  );
  t.match(planAction(read('OPT_IN', 'en'), ctx), { reply: /subscribed again/ });
  t.match(planAction(read('OPT_IN'), ctx), { reply: /de nouveau abonné/ });
  t.match(planAction(read('HELP', 'en'), ctx), { reply: /reply STOP/ });
  t.match(planAction(read('HELP'), ctx), { reply: /répondez STOP/ });
  t.equal(planAction(read('HELP'), { ...ctx, providerReplied: true }).reply, null);
  t.match(planAction(read('MEETING'), ctx), { task: { kind: 'meeting', contact: '+33612345678', due_text: null } });
  t.ok(isIntent('OPT_OUT'));
  t.notOk(isIntent('MAYBE'));
});

t.test('a retry is answered from the stored row without being read again', async (t) => {
  let reads = 0;
  const counting: ResponseInterpreter = {
    interpret: (content, at) => {
      reads += 1;
      return bundled.interpret(content, at);
    },
  };
  const { repository, signed } = pipeline(counting, new InMemoryRepository(), 2);
  const stop = inboundFields({ Body: 'STOP', From: '+33600000020' });
  const first = await signed(stop);
  t.match(first, { kind: 'stored', reply: /STOP|START/ });
  t.match(await signed(stop), { kind: 'duplicate', reply: first.kind === 'stored' ? first.reply : null });
  t.equal(reads, 1, 'the retry was not interpreted');
  await signed(inboundFields({ Body: 'a' }));
  await signed(inboundFields({ Body: 'b' }));
  t.match(await signed(stop), { kind: 'duplicate' }, 'forgotten: read again, still a duplicate by its key');
  t.equal(reads, 4);
  const forgetful = Object.assign(Object.create(repository) as InMemoryRepository, {
    findMessage: async () => undefined,
  });
  const again = pipeline(counting, forgetful).signed;
  const fields = inboundFields({ Body: 'x' });
  await again(fields);
  t.match(await again(fields), { kind: 'duplicate' }, 'a remembered key whose row is gone is read and stored again');
});
