import t from 'tap';
import { sql } from 'kysely';
import pg from 'pg';
import { TOKENS } from '../app/tokens.js';
import { throwawayCluster } from './fixtures/cluster.js';
import { createTestDatabase } from './fixtures/postgres.js';
import { spawnService } from './fixtures/process.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN, until } from './fixtures/service.js';
import { inboundFields, postSigned } from './fixtures/twilio.js';

/** Rows of one query on a fresh connection (the service's own pool is not used to check on it). */
async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function storedSids(url: string): Promise<Set<string>> {
  const rows = await query<{ message_id: string }>(url, 'select message_id from inbound_messages');
  return new Set(rows.map((row) => row.message_id));
}

t.test('the database goes down and comes back: 503 meanwhile, recovery without a restart', async (t) => {
  const cluster = await throwawayCluster(t);
  const { baseUrl, logs } = await startTestService(t, {
    env: { DATABASE_URL: cluster.url, HANDLER_TIMEOUT_MS: '3000' },
  });
  const before = inboundFields();
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, before)).status, 200);

  cluster.stop('immediate');
  const during = inboundFields();
  const refused = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, during);
  t.equal(refused.status, 503, 'never a 200 for a message that was not stored');
  t.equal((await fetch(`${baseUrl}/readyz`)).status, 503);
  t.equal((await fetch(`${baseUrl}/healthz`)).status, 200, 'the process is alive');

  cluster.start();
  const after = inboundFields();
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, after)).status, 200, 'recovered');
  t.equal(
    (await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, during)).status,
    200,
    'a retry of the refused one now lands',
  );
  t.equal((await fetch(`${baseUrl}/readyz`)).status, 200);
  const sids = await storedSids(cluster.url);
  t.ok(
    sids.has(before.MessageSid as string) &&
      sids.has(after.MessageSid as string) &&
      sids.has(during.MessageSid as string),
  );
  t.equal(sids.size, 3);
  t.ok(logs.some((line) => line.includes('webhook not stored: storage unavailable')));
});

t.test('a slow database answers 503 before Twilio gives up, and stores nothing half-way', async (t) => {
  const url = await createTestDatabase(t);
  const { baseUrl, service } = await startTestService(t, { env: { DATABASE_URL: url, HANDLER_TIMEOUT_MS: '1500' } });
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table inbound_messages in access exclusive mode');
  const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
  const fields = inboundFields();
  // The lock is held until the answer has come: without the deadline it would never come.
  const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
  t.equal(res.status, 503, 'answered 503 while the table is still locked');
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const counted = [...metrics.matchAll(/^berinia_webhook_errors_total\{cause="(?:storage|deadline)"\} (\d+)$/gm)];
  t.equal(
    counted.reduce((sum, match) => sum + Number(match[1]), 0),
    1,
    'one webhook error counted (storage or deadline): that request',
  );
  // Nothing of the service's is left waiting for the lock or holding a transaction open: its
  // statement was cancelled (statement_timeout), not queued behind the lock to commit later.
  await until(
    async () =>
      (
        await query(
          url,
          `select 1 from pg_stat_activity where datname = current_database() and pid not in (pg_backend_pid(), ${lockerPid})
             and (wait_event_type = 'Lock' or state like 'idle in transaction%')`,
        )
      ).length === 0,
  );
  await locker.query('rollback');
  await locker.end();
  const db = service.container.resolve(TOKENS.Database);
  const rows = await sql<{ n: string }>`select count(*) as n from inbound_messages`.execute(db);
  t.equal(Number(rows.rows[0]?.n), 0, 'the statement was cancelled, not left to commit after the 503');
  t.equal((await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)).status, 200, 'the retry lands');
});

t.test('two instances, one database, the same MessageSid at once: one row, one action', async (t) => {
  const url = await createTestDatabase(t);
  const a = await startTestService(t, { env: { DATABASE_URL: url } });
  const b = await startTestService(t, { env: { DATABASE_URL: url } });
  for (let round = 0; round < 5; round++) {
    const fields = inboundFields({ Body: 'Rappelez-moi demain à 10h', From: `+3361000000${round}` });
    const answers = await Promise.all(
      [a, b, a, b, a, b].map(({ baseUrl }) => postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields)),
    );
    t.same(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    const rows = await query(url, `select 1 from inbound_messages where message_id = '${fields.MessageSid}'`);
    t.equal(rows.length, 1, `round ${round}: one row`);
  }
  const tasks = await query(url, 'select 1 from tasks');
  const withTask = await query(url, "select 1 from inbound_messages where action like '%_task'");
  t.equal(tasks.length, withTask.length, 'one task per stored message, never one per delivery');
});

/** Fires signed requests in parallel until told to stop; records which were acknowledged. */
function load(baseUrl: string, concurrency: number) {
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const fields = inboundFields({ Body: 'Oui, intéressé 👍' });
      try {
        const res = await postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
        await res.text();
        (res.status === 200 ? acknowledged : refused).push(fields.MessageSid as string);
      } catch {
        refused.push(fields.MessageSid as string);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    acknowledged,
    refused,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

t.test('SIGKILL under load: every acknowledged message is in the database', async (t) => {
  const url = await createTestDatabase(t);
  const service = await spawnService(t, { DATABASE_URL: url, TWILIO_TOKEN: TEST_TOKEN, PUBLIC_URL });
  const traffic = load(`http://127.0.0.1:${service.port}`, 16);
  await until(() => traffic.acknowledged.length >= 100);
  await service.stop('SIGKILL');
  await traffic.stop();
  const stored = await storedSids(url);
  const lost = traffic.acknowledged.filter((sid) => !stored.has(sid));
  t.ok(traffic.acknowledged.length >= 100, `${traffic.acknowledged.length} acknowledged before the kill`);
  t.same(lost, [], 'no acknowledged message lost');
});

t.test('SIGTERM under load: in-flight requests finish, exit 0 before the shutdown timeout, nothing lost', async (t) => {
  const url = await createTestDatabase(t);
  const service = await spawnService(t, { DATABASE_URL: url, TWILIO_TOKEN: TEST_TOKEN, PUBLIC_URL });
  const traffic = load(`http://127.0.0.1:${service.port}`, 16);
  await until(() => traffic.acknowledged.length >= 100);
  const code = await service.stop('SIGTERM');
  await traffic.stop();
  t.equal(code, 0);
  // Bounded: the stop ends when in-flight requests do, or cuts them off at SHUTDOWN_TIMEOUT_MS.
  t.notOk(
    service.stdout.some((line) => line.includes('in-flight requests cut off at shutdown')),
    'every in-flight request finished: none was cut off at the shutdown timeout',
  );
  const stored = await storedSids(url);
  t.same(
    traffic.acknowledged.filter((sid) => !stored.has(sid)),
    [],
    `all ${traffic.acknowledged.length} acknowledged messages stored`,
  );
  t.ok(service.stdout.some((line) => line.includes('"msg":"stopped"')));
});
