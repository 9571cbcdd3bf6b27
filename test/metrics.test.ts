import t from 'tap';
import { TOKENS } from '../app/tokens.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN } from './fixtures/service.js';
import { inboundFields, postSigned } from './fixtures/twilio.js';

t.test('GET /metrics: requests, signature failures, intents, actions, database errors', async (t) => {
  let databaseUp = true;
  const { baseUrl } = await startTestService(t, {
    setup: (c) => {
      // The real repository, whose readiness check fails while `databaseUp` is false.
      const repository = c.resolve(TOKENS.Repository);
      const ping = repository.ping.bind(repository);
      repository.ping = () => (databaseUp ? ping() : Promise.reject(new Error('database down')));
    },
  });
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields({ Body: 'STOP' }))).status, 200);
  t.equal((await postSigned(baseUrl, PUBLIC_URL, 'wrong-token', inboundFields())).status, 403);
  await fetch(`${baseUrl}/nowhere/${Math.random()}`);
  databaseUp = false;
  t.equal((await fetch(`${baseUrl}/readyz`)).status, 503);

  const res = await fetch(`${baseUrl}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  for (const line of [
    'berinia_http_requests_total{route="/webhook/sms-response",status="200"} 1',
    'berinia_http_requests_total{route="/webhook/sms-response",status="403"} 1',
    'berinia_http_requests_total{route="other",status="404"} 1',
    'berinia_http_requests_total{route="/readyz",status="503"} 1',
    'berinia_signature_failures_total{provider="twilio"} 1',
    'berinia_messages_total{provider="twilio",intent="OPT_OUT"} 1',
    'berinia_actions_total{action="suppressed"} 1',
    'berinia_database_errors_total 1',
    'berinia_http_request_duration_seconds_count{route="/webhook/sms-response"} 2',
  ]) {
    t.ok(text.includes(line), line);
  }
  t.match(text, /\nprocess_resident_memory_bytes \d+/, 'process metrics too');
  const post = await fetch(`${baseUrl}/metrics`, { method: 'POST' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET');
});
