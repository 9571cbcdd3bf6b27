import t from 'tap';
import fc from 'fast-check';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { sql } from 'kysely';
import { TOKENS } from '../app/tokens.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN } from './fixtures/service.js';
import { inboundFields, postSigned, sign } from './fixtures/twilio.js';

const WEBHOOK = '/webhook/sms-response';

t.test('signatures for anything but the public URL and the exact fields: 403', async (t) => {
  const { baseUrl, service } = await startTestService(t);
  const fields = inboundFields();
  const post = (signature: string, body: Record<string, string> = fields) =>
    fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(body),
    }).then((res) => res.status);
  const variants: [string, string][] = [
    ['http instead of https', sign(TEST_TOKEN, PUBLIC_URL.replace('https:', 'http:') + WEBHOOK, fields)],
    ['trailing slash', sign(TEST_TOKEN, `${PUBLIC_URL}${WEBHOOK}/`, fields)],
    ['other host', sign(TEST_TOKEN, `https://evil.example${WEBHOOK}`, fields)],
    ['other path', sign(TEST_TOKEN, `${PUBLIC_URL}/webhook/other`, fields)],
    ['empty', ''],
    ['garbage', 'not base64 at all'],
  ];
  for (const [name, signature] of variants) t.equal(await post(signature), 403, name);
  const original = sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, fields);
  t.equal(await post(original, { ...fields, Body: 'STOP' }), 403, 'replayed with a changed field');
  t.equal(await post(original, { ...fields, Extra: '1' }), 403, 'replayed with an added field');
  const rows = await sql<{ n: string }>`select count(*) as n from inbound_messages`.execute(
    service.container.resolve(TOKENS.Database),
  );
  t.equal(Number(rows.rows[0]?.n), 0, 'nothing stored');
  t.equal(await post(original), 200, 'control: the genuine request passes');
});

t.test('slow clients are cut off and do not stop others from being served', async (t) => {
  const { baseUrl } = await startTestService(t, {
    env: { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' },
  });
  const port = Number(new URL(baseUrl).port);
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume(); // read what the server sends, so its close reaches us
    closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    socket.write(`POST ${WEBHOOK} HTTP/1.1\r\nHost: x\r\n`); // headers never finished
    sockets.push(socket);
  }
  const slowBody = connect(port, '127.0.0.1');
  slowBody.on('error', () => {});
  const slowBodyClosed = new Promise<string>((resolve) => {
    let answer = '';
    slowBody.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    slowBody.on('close', () => resolve(answer));
  });
  slowBody.write(
    `POST ${WEBHOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nBody=`,
  );

  const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields());
  t.equal(res.status, 200, 'served while 200 slow connections hang');
  const started = Date.now();
  await Promise.all(closed);
  t.ok(Date.now() - started < 5000, 'slow header senders are disconnected by the server');
  t.match(await slowBodyClosed, /^HTTP\/1\.1 (408|400)/, 'a body that never ends is cut off too');
  for (const socket of sockets) socket.destroy();
});

t.test('random requests: no 5xx, no crash, no row without a valid signature', async (t) => {
  const { baseUrl, service } = await startTestService(t, { env: { LOG_LEVEL: 'warn' } });
  const db = service.container.resolve(TOKENS.Database);
  const field = fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40, unit: 'binary' }));
  const body = fc.oneof(
    fc.string({ maxLength: 300, unit: 'binary' }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    fc.array(field, { maxLength: 12 }).map((pairs) => new URLSearchParams(pairs).toString()),
    fc.constantFrom('Body=%', 'Body=%E9', '%%%', 'a=%C3%28', '&&&=', `MessageSid=SM1&From=+33&To=+33&Body=x`),
  );
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path: fc.constantFrom(WEBHOOK, `${WEBHOOK}?x=1`, '/', '/webhook/', '/healthz', '/readyz', '/nope', '/%zz', '//'),
    contentType: fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/json',
      'text/plain',
      '',
    ),
    signature: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 28 })),
    body,
  });
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.signature !== undefined) headers['x-twilio-signature'] = r.signature;
      const hasBody = !['GET', 'HEAD'].includes(r.method);
      const res = await fetch(baseUrl + r.path, { method: r.method, headers, body: hasBody ? r.body : undefined });
      await res.arrayBuffer();
      return res.status < 500;
    }),
    { numRuns: 300 },
  );
  const rows = await sql<{ n: string }>`select count(*) as n from inbound_messages`.execute(db);
  t.equal(Number(rows.rows[0]?.n), 0, 'no row: no random request carried a valid signature');
  t.equal((await fetch(`${baseUrl}/healthz`)).status, 200, 'still serving');
  const genuine = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields());
  t.equal(genuine.status, 200, 'and still storing');
});

t.test('logs of a full flow hold no secret and no personal data in clear', async (t) => {
  const { baseUrl, logs } = await startTestService(t, { env: { LOG_LEVEL: 'trace' } });
  const body = 'Rappelez-moi au 06 12 34 56 78, mon mail jean.dupont@example.fr';
  const flows = [
    inboundFields({ Body: body, From: '+33698765432' }),
    inboundFields({ Body: 'STOP', From: '+33698765433' }),
  ];
  const signatures: string[] = [];
  for (const fields of flows) {
    signatures.push(sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, fields));
    t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)).status, 200);
    t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)).status, 200, 'duplicate');
  }
  await postSigned(baseUrl, PUBLIC_URL, 'wrong-token', flows[0] as Record<string, string>);
  await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields({ From: undefined, Body: body }));
  const text = logs.join('\n');
  t.ok(logs.length >= 6, `${logs.length} log lines to read`);
  for (const secret of [TEST_TOKEN, ...signatures, body, 'jean.dupont', '+33698765432', '+33698765433', '0612345678']) {
    t.notOk(text.includes(secret), `not in the logs: ${secret.slice(0, 6)}…`);
  }
  t.ok(text.includes('+336••••5432'), 'numbers appear masked');
  for (const line of logs) JSON.parse(line);
  t.pass('every line is JSON');
});

t.test('the review attacks, replayed on the running service', async (t) => {
  const { baseUrl, service } = await startTestService(t);
  const db = service.container.resolve(TOKENS.Database);
  const post = (fields: Record<string, string>, signature = sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, fields)) =>
    fetch(baseUrl + WEBHOOK, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(fields),
    });
  const count = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from inbound_messages`.execute(db)).rows[0]?.n);

  // Field-boundary forgery: one captured request, text moved between a key and a value.
  const captured = inboundFields({ Body: 'Oui', NumMedia: '0' });
  t.equal((await post(captured)).status, 200, 'the captured request');
  const { NumMedia: _numMedia, ...rest } = captured;
  const moved = { ...rest, MessageSid: `${captured.MessageSid as string}NumMedia0` };
  const sameSignature = sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, captured);
  t.equal(sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, moved), sameSignature, 'the forgery keeps the signature valid');
  const forged = await post(moved, sameSignature);
  t.equal(forged.status, 400, 'refused: MessageSid is not a SID');
  t.equal(await forged.text(), 'field MessageSid is not a Twilio SID\n');
  // A crafted key makes a START appear to come from another number: key names are Twilio's only.
  const victim = inboundFields({ Body: 'x', From: '+33611110000' });
  const start = { ...victim, From: '+3361111', ['0000Body']: 'START' } as Record<string, string>;
  t.equal((await post(start)).status, 400, 'a parameter name Twilio never sends');
  t.equal(await count(), 1, 'only the genuine request is stored');

  // CPU amplification: thousands of distinct keys are refused before any signature work.
  // The review's body: 15,000 distinct keys in 58 KB (under the body limit).
  const keys = Array.from({ length: 15_000 }, (_, i) => i.toString(36)).join('&');
  t.ok(keys.length < 64 * 1024, `${keys.length} bytes`);
  const flood = await fetch(baseUrl + WEBHOOK, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'not-a-signature' },
    body: keys,
  });
  t.equal(flood.status, 413);
  t.match(await flood.text(), /more than 256 form fields/);

  // Look-alike characters of STOP are an opt-out.
  for (const [i, body] of ['ＳＴＯＰ', 'ЅТОР', 'STO\u200BP'].entries()) {
    const from = `+3369999000${i}`;
    t.equal((await post(inboundFields({ Body: body, From: from }))).status, 200);
    const lead = await sql<{ status: string }>`select status from leads where phone = ${from}`.execute(db);
    t.same(lead.rows, [{ status: 'opted_out' }], `${JSON.stringify(body)} suppresses the number`);
  }
});

t.test('a NUL byte in a signed field is stored, not refused forever', async (t) => {
  const { baseUrl, service } = await startTestService(t);
  const db = service.container.resolve(TOKENS.Database);
  const fields = inboundFields({ Body: 'Stop\u0000 svp', From: '+33698760000' });
  const res = await fetch(baseUrl + WEBHOOK, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': sign(TEST_TOKEN, PUBLIC_URL + WEBHOOK, fields),
    },
    body: new URLSearchParams(fields),
  });
  t.equal(res.status, 200, 'stored at the first delivery (it used to be 503 on every retry)');
  const rows = await sql<{
    content: string;
    raw: string;
  }>`select content, raw_data->>'Body' as raw from inbound_messages where message_id = ${fields.MessageSid}`.execute(
    db,
  );
  t.same(
    rows.rows,
    [{ content: 'Stop\uFFFD svp', raw: 'Stop\\u0000 svp' }],
    'U+FFFD in the text, escaped in the raw data',
  );
});
