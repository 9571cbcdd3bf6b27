import t from 'tap';
import { ReplyError } from '../core/errors.js';
import { MAX_OPEN_MESSAGES, PARTS_WINDOW_MS } from '../core/parts.js';
import type { ReplySender } from '../core/ports/reply-sender.js';
import { expireParts } from '../app/service.js';
import { TOKENS } from '../app/tokens.js';
import { startFakeVonage } from './fixtures/fake-vonage.js';
import { scratchDir } from './fixtures/process.js';
import { TEST_VONAGE_SECRET, VONAGE_KIT, vonageFields, vonageSig } from './fixtures/providers.js';
import { startTestService, until } from './fixtures/service.js';
import { deliver, parts, PATH, startVonageService } from './fixtures/vonage-webhook.js';

t.test('Vonage on Postgres: GET and POST, parts', async (t) => {
  const { baseUrl, service, logs } = await startVonageService(t);
  const repo = service.container.resolve(TOKENS.Repository);

  t.test('a GET webhook (query parameters) is verified and stored', async (t) => {
    const fields = vonageFields({ text: 'Intéressé, envoyez la doc' });
    const res = await deliver(baseUrl, fields, 'GET');
    t.equal(res.status, 200);
    t.equal(await res.text(), '');
    t.equal((await repo.findMessage('vonage', fields['messageId'] as string))?.intent, 'INTERESTED');
    const tampered = new URLSearchParams({
      ...fields,
      text: 'STOP',
      sig: vonageSig('sha256', TEST_VONAGE_SECRET, fields),
    });
    t.equal((await fetch(`${baseUrl}${PATH}?${tampered}`)).status, 403);
  });

  t.test('a message in three parts, arriving out of order, is read once as one text', async (t) => {
    const [p1, p2, p3] = parts(
      [
        'Bonjour, je suis intéressé mais pas dispo cette sem',
        'aine. Rappelez-moi lundi à 1',
        '0h au 06 12 34 56 78 svp',
      ],
      '41',
    );
    const tasks = (await repo.listOpenTasks()).length;
    t.equal((await deliver(baseUrl, p3 as Record<string, string>, 'GET')).status, 200);
    t.equal((await deliver(baseUrl, p1 as Record<string, string>)).status, 200);
    t.equal(await repo.findMessage('vonage', p1?.['messageId'] as string), undefined, 'nothing read yet');
    t.ok(
      logs.some((line) => line.includes('"part":1,"total":3,"received":2')),
      'held parts are logged',
    );
    t.equal((await deliver(baseUrl, p2 as Record<string, string>)).status, 200);
    const row = await repo.findMessage('vonage', p1?.['messageId'] as string);
    t.equal(
      row?.content,
      'Bonjour, je suis intéressé mais pas dispo cette semaine. Rappelez-moi lundi à 10h au 06 12 34 56 78 svp',
    );
    t.equal(row?.intent, 'CALLBACK_REQUEST');
    t.same(row?.raw_data?.['concat-message-ids'], [p1?.['messageId'], p2?.['messageId'], p3?.['messageId']]);
    t.equal((await repo.listOpenTasks()).length, tasks + 1, 'one call-back task');

    t.equal((await deliver(baseUrl, p2 as Record<string, string>)).status, 200, 'a retried part');
    t.equal(await repo.findMessage('vonage', p2?.['messageId'] as string), undefined, 'parts are not messages');
    t.equal((await repo.listOpenTasks()).length, tasks + 1, 'still one task');
  });

  t.test('the review attack: a 255-part message is capped, read once, and its retries not read again', async (t) => {
    // Each part holds an emoji (the old e-mail pattern was quadratic past Latin-1) and no '@'.
    const texts = Array.from({ length: 255 }, (_, i) => `partie ${i} 😀 ${'x'.repeat(140)}`);
    const all = parts(texts, '250', '33622000250');
    for (const fields of all.slice(0, -1)) t.equal((await deliver(baseUrl, fields)).status, 200);
    const health = fetch(`${baseUrl}/healthz`);
    t.equal((await deliver(baseUrl, all.at(-1) as Record<string, string>)).status, 200, 'the last part completes it');
    t.equal((await health).status, 200, 'health answered meanwhile');
    const stored = await repo.findMessage('vonage', all[0]?.['messageId'] as string);
    t.equal(stored?.content.length, 1600, 'the joined text is capped at 1,600 characters');
    t.equal(stored?.raw_data['text-truncated'], String(texts.join('').length), 'with its whole length recorded');
    const retried = logs.length;
    t.equal((await deliver(baseUrl, all[100] as Record<string, string>)).status, 200, 'a retry of any part');
    t.ok(
      logs.slice(retried).some((line) => line.includes('webhook duplicate ignored')),
      'is a duplicate',
    );
  });

  t.test('parts arriving at once: one message', async (t) => {
    const all = parts(['Oui je ', 'suis ', 'intéressé, ', 'envoyez ', 'la doc'], '42', '33622000002');
    const answers = await Promise.all(all.map((fields) => deliver(baseUrl, fields)));
    t.same(
      answers.map((res) => res.status),
      [200, 200, 200, 200, 200],
    );
    const row = await repo.findMessage('vonage', all[0]?.['messageId'] as string);
    t.equal(row?.content, 'Oui je suis intéressé, envoyez la doc');
  });
});

t.test('Vonage on the embedded database: the outbox shares its connection', async (t) => {
  const api = await startFakeVonage(t);
  let calls = 0;
  const flaky: ReplySender = {
    async send() {
      calls += 1;
      if (calls === 1) throw new Error('socket hang up'); // not a ReplyError: retried
      if (calls === 2) throw new ReplyError('throttled', true);
    },
  };
  const { baseUrl, service, logs } = await startTestService(t, {
    env: {
      PROVIDERS: 'vonage,twilio',
      ...VONAGE_KIT.env,
      VONAGE_API_URL: api.url,
      DATA_DIR: scratchDir(),
      REPLY_RETRY_DELAY_SECONDS: '1',
    },
    setup: (container) => container.registerInstance(TOKENS.ReplySenders, new Map([['vonage', flaky]])),
  });
  const fields = vonageFields({ msisdn: '33622000007', text: 'Aide' });
  t.equal((await deliver(baseUrl, fields)).status, 200);
  t.equal(
    (await service.container.resolve(TOKENS.Repository).findMessage('vonage', fields['messageId'] as string))?.intent,
    'HELP',
  );
  await until(() => logs.some((line) => line.includes('reply sent')));
  t.equal(calls, 3);
});

t.test('message parts expire: no stale join, incomplete messages read, open ones bounded per sender', async (t) => {
  let now = Date.now();
  const { baseUrl, service, logs } = await startTestService(t, {
    env: { PROVIDERS: 'vonage', ...VONAGE_KIT.env, VONAGE_API_KEY: 'key', VONAGE_API_SECRET: 'secret' },
    setup: (container) => container.registerInstance(TOKENS.Clock, () => new Date(now)),
  });
  const repo = service.container.resolve(TOKENS.Repository);
  const logger = service.container.resolve(TOKENS.Logger);
  const part = (msisdn: string, ref: string, n: number, total: number, text: string) =>
    vonageFields({
      msisdn,
      text,
      concat: 'true',
      'concat-ref': ref,
      'concat-total': String(total),
      'concat-part': String(n),
    });

  // The review's attack: part 2/2 of ref G said STOP; minutes later another message reuses G.
  const stale = part('33622000300', '71', 2, 2, 'STOP');
  t.equal((await deliver(baseUrl, stale)).status, 200);
  now += PARTS_WINDOW_MS + 60_000;
  const fresh = part('33622000300', '71', 1, 2, 'Bonjour, je suis intéressé, ');
  t.equal((await deliver(baseUrl, fresh)).status, 200);
  t.equal(await repo.findMessage('vonage', fresh['messageId'] as string), undefined, 'not joined with the stale part');
  t.equal(await expireParts(service.container, logger, new Date(now)), 1, 'the stale part is read on its own');
  t.match(await repo.findMessage('vonage', stale['messageId'] as string), {
    content: 'STOP',
    extracted_data: { incomplete: '1/2' },
  });
  t.match(
    await repo.findLead('+33622000300'),
    { status: 'opted_out' },
    'an opt-out inside an incomplete message counts',
  );
  t.equal(await expireParts(service.container, logger, new Date(now + PARTS_WINDOW_MS + 1)), 1);
  t.match(await repo.findMessage('vonage', fresh['messageId'] as string), { extracted_data: { incomplete: '1/2' } });
  t.ok(logs.some((line) => line.includes('incomplete messages read')));

  // One sender opening more messages than MAX_OPEN_MESSAGES: the others are read at once.
  const firsts = Array.from({ length: MAX_OPEN_MESSAGES + 1 }, (_, i) =>
    part('33622000301', String(100 + i), 1, 3, `morceau ${i} `),
  );
  for (const fields of firsts) t.equal((await deliver(baseUrl, fields)).status, 200);
  const read = await Promise.all(firsts.map((fields) => repo.findMessage('vonage', fields['messageId'] as string)));
  t.equal(read.filter((message) => message !== undefined).length, MAX_OPEN_MESSAGES, 'all but the last one read');
  t.equal(read.at(-1), undefined, 'the one being received still waits');
});
