import t from 'tap';
import { TOKENS } from '../app/tokens.js';
import { vonageFields } from './fixtures/providers.js';
import { until } from './fixtures/service.js';
import { deliver, settled, startVonageService } from './fixtures/vonage-webhook.js';

t.test('Vonage on Postgres: replies through the outbox', async (t) => {
  const { api, baseUrl, service, logs } = await startVonageService(t);
  const repo = service.container.resolve(TOKENS.Repository);
  const db = service.container.resolve(TOKENS.Database);

  t.test('an opt-out: confirmed once through the API, even when Vonage retries the webhook', async (t) => {
    const before = api.sent.length;
    const fields = vonageFields({ msisdn: '33622000003', text: 'STOP' });
    t.equal((await deliver(baseUrl, fields)).status, 200);
    t.equal((await deliver(baseUrl, fields)).status, 200);
    await api.waitFor(before + 1);
    // The second delivery was a duplicate: no second job; the one job completed, none left to run.
    await settled(db, '33622000003');
    t.equal(api.sent.length, before + 1, 'one reply');
    t.match(api.sent[before], {
      api_key: 'key',
      api_secret: 'secret',
      from: '33757000002',
      to: '33622000003',
      type: 'unicode',
      text: /^BerinIA : vous ne recevrez plus/,
    });
    t.equal((await repo.findLead('+33622000003'))?.status, 'opted_out');
  });

  t.test('a failing API is retried until it accepts', async (t) => {
    const before = api.sent.length;
    api.answers.push({ status: 503, body: '' }, { status: 200, body: '{"messages":[{"status":"1"}]}' });
    t.equal((await deliver(baseUrl, vonageFields({ msisdn: '33622000004', text: 'STOP' }))).status, 200);
    await api.waitFor(before + 3);
    t.equal(api.sent.length, before + 3, 'two failures, then sent');
    await until(() => logs.some((line) => line.includes('"attempts":3') && line.includes('reply sent')));
    t.ok(logs.some((line) => line.includes('reply not sent yet: will retry')));
  });

  t.test('a refusal is not retried, and is logged', async (t) => {
    const before = api.sent.length;
    api.answers.push({ status: 200, body: '{"messages":[{"status":"4","error-text":"Bad Credentials"}]}' });
    t.equal((await deliver(baseUrl, vonageFields({ msisdn: '33622000005', text: 'STOP' }))).status, 200);
    await until(() => logs.some((line) => line.includes('Bad Credentials') && line.includes('given up')));
    // Given up means the job completed (not failed, which pg-boss would retry): no second try.
    await settled(db, '33622000005');
    t.equal(api.sent.length, before + 1);
  });

  t.test('retries run out: given up after the last one', async (t) => {
    const before = api.sent.length;
    for (let i = 0; i < 3; i++) api.answers.push({ status: 500, body: '' });
    t.equal((await deliver(baseUrl, vonageFields({ msisdn: '33622000006', text: 'STOP' }))).status, 200);
    await until(() => logs.some((line) => line.includes('"attempts":3') && line.includes('given up')));
    t.equal(api.sent.length, before + 3, 'the first try and two retries (REPLY_RETRY_LIMIT=2)');
  });

  t.test('a queued reply for a provider that is not enabled is logged, not lost silently', async (t) => {
    const outbox = service.container.resolve(TOKENS.Outbox);
    await outbox.enqueue({
      provider: 'elsewhere',
      inbound_message_id: '1',
      to: '+33600000000',
      from: '+33700000000',
      text: 'x',
    });
    await until(() => logs.some((line) => line.includes('the provider is not enabled')));
    t.pass();
  });
});
