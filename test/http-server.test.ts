import { PrometheusObserver } from '../adapters/metrics/prometheus-observer.js';
import { StorageError } from '../core/errors.js';
import t from 'tap';
import type { Test } from 'tap';
import { once } from 'node:events';
import { request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../adapters/http/http-server.js';
import type { HttpServerOptions, WebhookRoute } from '../adapters/http/http-server.js';
import type { SignedRequest } from '../core/ports/signature-verifier.js';
import type { ReceiveOutcome } from '../core/receive-inbound-message.js';
import { capturedLogger } from './fixtures/logs.js';

/** The HTTP adapter alone, with fake routes: what reaches the use case and how outcomes map to HTTP. */
async function serve(
  t: Test,
  execute: (request: SignedRequest) => Promise<ReceiveOutcome>,
  options: Partial<HttpServerOptions> = {},
) {
  const { logger, lines } = capturedLogger();
  const seen: SignedRequest[] = [];
  const route: WebhookRoute = {
    provider: 'fake',
    path: '/hook',
    methods: ['POST', 'GET'],
    receive: (req) => {
      seen.push(req);
      return execute(req);
    },
    answer: (reply) => ({ status: 204, contentType: null, body: reply ?? '' }),
  };
  const server: Server = createHttpServer({
    publicUrl: 'https://public.example/',
    routes: [route],
    ready: async () => {},
    logger,
    bodyLimit: 1024,
    handlerTimeoutMs: 1000,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 3000,
    ...options,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, lines };
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

t.test('the public URL, method, headers and fields reach the use case', async (t) => {
  const { base, seen } = await serve(t, async () => ({ kind: 'duplicate', id: '1', reply: null }));
  const post = await fetch(`${base}/hook?x=1`, {
    method: 'POST',
    headers: { ...form, 'x-custom': 'v' },
    body: 'a=1&b=%C3%A9',
  });
  t.equal(post.status, 204);
  t.equal(post.headers.get('content-type'), null, 'no content type when the provider wants none');
  t.match(seen[0], {
    url: 'https://public.example/hook?x=1',
    method: 'POST',
    headers: { 'x-custom': 'v' },
    fields: { a: '1', b: 'é' },
  });
  const get = await fetch(`${base}/hook?msisdn=447700900001&text=Hi+there`);
  t.equal(get.status, 204);
  t.match(
    seen[1],
    { method: 'GET', fields: { msisdn: '447700900001', text: 'Hi there' } },
    'GET webhooks read the query',
  );
  t.equal((await fetch(`${base}/hook`)).status, 204);
  t.same(seen[2]?.fields, {}, 'a GET without a query has no fields');
  const charset = await fetch(`${base}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset="UTF-8"' },
    body: 'a=1',
  });
  t.equal(charset.status, 204, 'an explicit utf-8 charset is fine');
});

t.test('content type, charset and size are checked before anything else', async (t) => {
  const { base, seen } = await serve(t, async () => ({ kind: 'forbidden' }));
  const none = await fetch(`${base}/hook`, { method: 'POST', body: new Uint8Array([97, 61, 49]) });
  t.equal(none.status, 415, 'no content type');
  const latin1 = await fetch(`${base}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' },
    body: 'a=1',
  });
  t.equal(latin1.status, 415);
  t.equal(await latin1.text(), 'form data must be utf-8\n');
  const big = await fetch(`${base}/hook`, { method: 'POST', headers: form, body: 'a=' + 'x'.repeat(2000) });
  t.equal(big.status, 413, 'declared too large');
  t.equal(big.headers.get('connection'), 'close');
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}/hook`, { method: 'POST', headers: form });
    req.on('response', (res) => resolve(res.statusCode as number));
    req.on('error', reject);
    req.write('a=' + 'x'.repeat(800));
    req.write('y'.repeat(800));
    req.end();
  });
  t.equal(chunked, 413, 'too large while streaming, without a Content-Length');
  t.equal(seen.length, 0, 'none reached the use case');
});

t.test('a client that goes away mid-body does not hurt the server', async (t) => {
  const { base, seen, lines } = await serve(t, async () => ({ kind: 'forbidden' }));
  await new Promise<void>((resolve) => {
    const req = request(`${base}/hook`, { method: 'POST', headers: { ...form, 'content-length': '500' } });
    req.on('error', () => resolve());
    req.write('a=1', () => setTimeout(() => req.destroy(), 50));
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'still serving');
  t.equal(seen.length, 0);
  t.ok(lines.some((line) => line.includes('request body incomplete')));
});

t.test('outcomes and failures map to status codes', async (t) => {
  let next: () => Promise<ReceiveOutcome> = async () => ({ kind: 'invalid', reason: 'missing field From' });
  let ready = async () => {};
  const { base, lines } = await serve(t, () => next(), {
    ready: () => ready(),
    handlerTimeoutMs: 200,
    observer: new PrometheusObserver(),
  });
  const post = () => fetch(`${base}/hook`, { method: 'POST', headers: form, body: 'a=1' });

  t.equal((await post()).status, 400);
  next = async () => {
    throw new StorageError('recording a message failed', { cause: new Error('connection refused') });
  };
  const down = await post();
  t.equal(down.status, 503, 'storage failure: not acknowledged');
  t.equal(down.headers.get('retry-after'), '5');
  t.ok(
    lines.some(
      (line) => line.includes('webhook not stored: storage unavailable') && line.includes('connection refused'),
    ),
  );
  next = () => new Promise(() => {});
  const slow = await post();
  t.equal(slow.status, 503, 'a hung database answers before the provider gives up');
  t.ok(
    lines.some(
      (line) => line.includes('webhook not stored: deadline exceeded') && line.includes('no answer within 200 ms'),
    ),
  );
  next = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'sender')");
  };
  const bug = await post();
  t.equal(bug.status, 500, 'a bug is a bug, not a database error');
  t.ok(lines.some((line) => line.includes('webhook failed: bug') && line.includes('reading')));
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /berinia_webhook_errors_total\{cause="storage"\} 1\n/);
  t.match(metrics, /berinia_webhook_errors_total\{cause="deadline"\} 1\n/);
  t.match(metrics, /berinia_webhook_errors_total\{cause="bug"\} 1\n/);

  ready = async () => {
    throw new Error('down');
  };
  t.equal((await fetch(`${base}/readyz`)).status, 503);
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'alive even when the database is not');
});

t.test('a bug answers 500 and the server keeps serving', async (t) => {
  const { logger, lines } = capturedLogger();
  const server = createHttpServer({
    publicUrl: 'https://public.example',
    routes: [
      {
        provider: 'broken',
        path: '/hook',
        methods: ['POST'],
        receive: async () => ({ kind: 'duplicate', id: '1', reply: null }),
        answer: () => {
          throw new TypeError('bug');
        },
      },
    ],
    ready: async () => {},
    logger,
    bodyLimit: 1024,
    handlerTimeoutMs: 1000,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 3000,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await fetch(`${base}/hook`, { method: 'POST', headers: form, body: 'a=1' });
  t.equal(res.status, 500);
  t.ok(lines.some((line) => line.includes('webhook failed: bug')));
  t.equal((await fetch(`${base}/`)).status, 200);
});

t.test('a bug outside a webhook answers 500 too, and the server keeps serving', async (t) => {
  const broken = new PrometheusObserver();
  broken.exposition = () => Promise.reject(new TypeError('bug'));
  const { base, lines } = await serve(t, async () => ({ kind: 'forbidden' }), { observer: broken });
  t.equal((await fetch(`${base}/metrics`)).status, 500);
  t.ok(lines.some((line) => line.includes('request handler failed')));
  t.equal((await fetch(`${base}/healthz`)).status, 200);
});

t.test('a 403 logs the URL the signature was checked against, never the signature', async (t) => {
  const { base, lines } = await serve(t, async () => ({ kind: 'forbidden' }));
  const res = await fetch(`${base}/hook?msisdn=33612345678`, {
    method: 'POST',
    headers: { ...form, 'x-twilio-signature': 'c2lnbmF0dXJl' },
    body: 'a=1',
  });
  t.equal(res.status, 403);
  const line = lines.find((l) => l.includes('webhook signature rejected')) as string;
  t.match(JSON.parse(line), { status: 403, checkedUrl: 'https://public.example/hook', withQuery: true });
  t.notMatch(line, /c2lnbmF0dXJl|33612345678/, 'neither the signature nor the query');
});

t.test('contactability: a failure of ours answers 503 or 500, never a caller’s error', async (t) => {
  const { base } = await serve(t, async () => ({ kind: 'forbidden' }), {
    contactability: async (phones) => {
      if (phones[0] === 'bug') throw new TypeError('bug');
      throw new StorageError('reading the ledger failed');
    },
  });
  t.equal((await fetch(`${base}/v1/contactability?phone=1`)).status, 503);
  t.equal((await fetch(`${base}/v1/contactability?phone=bug`)).status, 500);
});
