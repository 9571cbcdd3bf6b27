import t from 'tap';
import { request } from 'node:http';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { TOKENS } from '../app/tokens.js';
import { createTestDatabase } from './fixtures/postgres.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN } from './fixtures/service.js';
import { inboundFields, messageSid, postSigned, sign } from './fixtures/twilio.js';

const WEBHOOK = '/webhook/sms-response';

t.test('the webhook over a real port, on Postgres', async (t) => {
  const url = await createTestDatabase(t);
  const { baseUrl, service } = await startTestService(t, { env: { DATABASE_URL: url } });
  const repo = service.container.resolve(TOKENS.Repository);

  t.test('a signed reply is stored and answered with TwiML', async (t) => {
    const fields = inboundFields({ Body: 'Oui, très intéressé 👍🏽 — envoyez la doc', Extra: 'kept', FromCity: '' });
    const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/xml/);
    t.equal(await res.text(), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const row = await repo.findMessage('twilio', fields.MessageSid as string);
    t.equal(row?.content, 'Oui, très intéressé 👍🏽 — envoyez la doc', 'UTF-8 and emoji intact');
    t.equal(row?.sender, '+33612345678');
    t.equal(row?.recipient, '+33757000001');
    t.same(row?.raw_data, fields, 'every field as received, unknown and empty ones too');
    t.equal(row?.source, 'sms');
    t.type(row?.intent, 'string');
  });

  t.test('an opt-out is acted on and confirmed in TwiML', async (t) => {
    const fields = inboundFields({ Body: 'STOP', From: '+33698765432' });
    const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
    t.equal(res.status, 200);
    t.match(
      await res.text(),
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>BerinIA : vous ne recevrez plus/,
    );
    const lead = await repo.findLead('+33698765432');
    t.equal(lead?.status, 'opted_out');
    t.ok(lead?.opted_out_at instanceof Date);
    t.equal((await repo.findMessage('twilio', fields.MessageSid as string))?.action, 'suppressed');
  });

  t.test('Twilio already handled STOP (OptOutType): recorded, no second reply', async (t) => {
    const fields = inboundFields({ Body: 'Arrêt', From: '+33698765433', OptOutType: 'STOP' });
    const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
    t.equal(await res.text(), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    t.equal((await repo.findLead('+33698765433'))?.status, 'opted_out');
  });

  t.test('the campaign comes from our records of who we texted', async (t) => {
    await repo.saveLead('+33611223344', 'spring-2026', new Date());
    const fields = inboundFields({ From: '+33611223344' });
    t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)).status, 200);
    t.equal((await repo.findMessage('twilio', fields.MessageSid as string))?.campaign_id, 'spring-2026');
  });

  t.test('a retry of the same MessageSid: 200, one row, the action not repeated', async (t) => {
    const fields = inboundFields({ Body: 'stop', From: '+33698765434' });
    const first = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
    const firstBody = await first.text();
    const stored = await repo.findLead('+33698765434');
    const retry = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
    t.equal(retry.status, 200);
    t.equal(await retry.text(), firstBody, 'the same answer, so a lost first answer is not lost');
    const after = await repo.findLead('+33698765434');
    t.same(after?.updated_at, stored?.updated_at, 'the lead was not touched again');
    const db = new KyselyRepository(service.container.resolve(TOKENS.Database));
    t.ok(db, 'repository over the same database');
    const count = await service.container
      .resolve(TOKENS.Database)
      .selectFrom('inbound_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('message_id', '=', fields.MessageSid as string)
      .executeTakeFirstOrThrow();
    t.equal(Number(count.n), 1, 'one row');
  });

  t.test('missing or wrong signature: 403, nothing stored', async (t) => {
    const fields = inboundFields();
    const unsigned = await fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    t.equal(unsigned.status, 403);
    const wrongToken = await postSigned(baseUrl, PUBLIC_URL, 'not-the-token', fields);
    t.equal(wrongToken.status, 403);
    const internalUrl = await postSigned(baseUrl, baseUrl, TEST_TOKEN, fields);
    t.equal(internalUrl.status, 403, 'signed for the internal URL, not the public one');
    const forwarded = await fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': sign(TEST_TOKEN, 'https://evil.example' + WEBHOOK, fields),
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
      body: new URLSearchParams(fields),
    });
    t.equal(forwarded.status, 403, 'X-Forwarded-* cannot choose the signed URL');
    t.equal(await repo.findMessage('twilio', fields.MessageSid as string), undefined);
  });

  t.test('signed but incomplete: 400 with the reason, nothing stored', async (t) => {
    for (const name of ['From', 'To', 'Body', 'MessageSid']) {
      const sid = messageSid();
      const fields = inboundFields({ MessageSid: sid, [name]: undefined });
      const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
      t.equal(res.status, 400, `without ${name}`);
      t.equal(await res.text(), `missing field ${name}\n`);
      t.equal(await repo.findMessage('twilio', sid), undefined);
    }
    const mms = inboundFields({
      Body: '',
      NumMedia: '1',
      MediaUrl0: 'https://api.twilio.com/m/1',
      MediaContentType0: 'image/jpeg',
    });
    const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, mms);
    t.equal(res.status, 200, 'an empty Body (MMS) is present, not missing');
    const row = await repo.findMessage('twilio', mms.MessageSid as string);
    t.equal(row?.content, '');
    t.same(row?.extracted_data['media'], [{ url: 'https://api.twilio.com/m/1', content_type: 'image/jpeg' }]);
  });

  t.test('other routes and methods: 404 / 405, never 500', async (t) => {
    t.equal((await fetch(baseUrl + '/nope')).status, 404);
    t.equal((await fetch(baseUrl + '/webhook/other', { method: 'POST' })).status, 404);
    const get = await fetch(baseUrl + WEBHOOK);
    t.equal(get.status, 405);
    t.equal(get.headers.get('allow'), 'POST');
    t.equal((await fetch(baseUrl + WEBHOOK, { method: 'PUT', body: 'x' })).status, 405);
    t.equal((await fetch(baseUrl + '/healthz', { method: 'POST' })).status, 405);
  });

  t.test('health checks', async (t) => {
    for (const path of ['/', '/webhook/', '/healthz', '/readyz']) {
      const res = await fetch(baseUrl + path);
      t.equal(res.status, 200, path);
    }
    t.equal((await fetch(baseUrl + '/healthz', { method: 'HEAD' })).status, 200);
  });

  t.test('a body that is not a form: 415; broken encoding: 400', async (t) => {
    const json = await fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': 'x' },
      body: '{}',
    });
    t.equal(json.status, 415);
    const broken = await fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      body: 'Body=%E9t%C3',
    });
    t.equal(broken.status, 400);
    t.equal(await broken.text(), 'malformed percent-encoding in form data\n');
  });
});

t.test('the signature covers the query string', async (t) => {
  const url = await createTestDatabase(t);
  const { baseUrl } = await startTestService(t, { env: { DATABASE_URL: url } });
  const fields = inboundFields();
  const path = `${WEBHOOK}?campaign=spring`;
  const send = (signedPath: string) =>
    new Promise<number>((resolve, reject) => {
      const body = new URLSearchParams(fields).toString();
      const req = request(`${baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': sign(TEST_TOKEN, PUBLIC_URL + signedPath, fields),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
  t.equal(await send(WEBHOOK), 403, 'signed without the query');
  t.equal(await send(path), 200, 'signed with it');
});

t.test('faults behind the webhook', async (t) => {
  const repo = new InMemoryRepository();
  const { baseUrl, logs } = await startTestService(t, {
    setup: (c) => {
      c.registerInstance(TOKENS.Repository, repo);
      c.registerInstance(TOKENS.Interpreter, {
        interpret: () => {
          throw new Error('interpreter bug');
        },
      });
    },
  });

  const fields = inboundFields({ Body: 'Bonjour' });
  const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
  t.equal(res.status, 200, 'an interpreter bug does not cost the message');
  t.equal((await repo.findMessage('twilio', fields.MessageSid as string))?.intent, 'UNKNOWN');
  t.ok(
    logs.some(
      (line) => line.includes('interpreter failed; message stored as UNKNOWN') && line.includes('interpreter bug'),
    ),
  );

  repo.failure = new Error('connection terminated');
  const down = inboundFields();
  const refused = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, down);
  t.equal(refused.status, 503, 'not stored, so not acknowledged');
  t.equal((await fetch(baseUrl + '/readyz')).status, 503);
  repo.failure = null;
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, down)).status, 200, 'recovers without a restart');
  t.ok(await repo.findMessage('twilio', down.MessageSid as string));
  t.equal((await fetch(baseUrl + '/readyz')).status, 200);
});
