import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DependencyContainer } from 'tsyringe';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { StorageError } from '../core/errors.js';
import type { Database } from '../adapters/postgres/schema.js';
import { loadConfig } from '../app/config.js';
import { openCliDatabase } from '../app/cli/db.js';
import {
  databaseExitStatus,
  DatabaseUnreachableError,
  openDatabase,
  SchemaNotCurrentError,
  unreachableReason,
} from '../app/database.js';
import type { SchemaPolicy } from '../app/database.js';
import { createLogger } from '../app/logger.js';
import { expireParts, startService } from '../app/service.js';
import { TOKENS } from '../app/tokens.js';
import type { RecordOutcome, RecordRequest } from '../core/ports/repository.js';
import pg from 'pg';
import { capturedLogger } from './fixtures/logs.js';
import { ADMIN_URL, createTestDatabase } from './fixtures/postgres.js';
import { PUBLIC_URL, startTestService, TEST_TOKEN } from './fixtures/service.js';
import { memoryIo } from './fixtures/tools.js';
import { inboundFields, postSigned } from './fixtures/twilio.js';

/** A repository whose writes wait for the test to let them through. */
class GatedRepository extends InMemoryRepository {
  readonly waiting: (() => void)[] = [];
  override async record(request: RecordRequest): Promise<RecordOutcome> {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.record(request);
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

t.test('stop lets in-flight requests finish, then closes the database', async (t) => {
  const repo = new GatedRepository();
  const { service, baseUrl, logs } = await startTestService(t, {
    setup: (c) => c.registerInstance(TOKENS.Repository, repo),
  });
  const db = service.container.resolve(TOKENS.Database);
  const open = () =>
    sql`select 1`.execute(db).then(
      () => true,
      () => false,
    );
  const fields = inboundFields();
  const inFlight = postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, fields);
  await until(() => repo.waiting.length === 1);
  const stopped = service.stop();
  t.equal(service.stop(), stopped, 'stop is idempotent');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(await open(), 'the database stays open while a request is in flight');
  await t.rejects(fetch(baseUrl + '/healthz'), 'no new connections');
  repo.waiting[0]?.();
  const res = await inFlight;
  t.equal(res.status, 200, 'the in-flight request completes');
  await stopped;
  t.notOk(await open(), 'the database is closed after');
  t.ok(await repo.findMessage('twilio', fields.MessageSid as string), 'and its message is stored');
  t.ok(logs.some((line) => line.includes('"msg":"stopped"')));
});

t.test('stop does not wait forever for a stuck request', async (t) => {
  const repo = new GatedRepository();
  const { service, baseUrl, logs } = await startTestService(t, {
    env: { SHUTDOWN_TIMEOUT_MS: '200' },
    setup: (c) => c.registerInstance(TOKENS.Repository, repo),
  });
  const stuck = postSigned(baseUrl, PUBLIC_URL, TEST_TOKEN, inboundFields()).catch((error: Error) => error);
  await until(() => repo.waiting.length === 1);
  const started = Date.now();
  await service.stop();
  t.ok(Date.now() - started < 2000, 'bounded');
  t.type(await stuck, Error, 'the stuck connection is cut, never acknowledged');
  t.ok(logs.some((line) => line.includes('in-flight requests cut off at shutdown')));
});

t.test('a port already in use fails the start and releases the database', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as AddressInfo).port;
  let closed = false;
  const db = { destroy: async () => void (closed = true) } as unknown as Kysely<Database>;
  const config = loadConfig({ PORT: String(port), LOG_LEVEL: 'silent' });
  await t.rejects(startService(config, createLogger('silent'), undefined, db), { code: 'EADDRINUSE' });
  t.ok(closed);

  // With a provider that replies through its API, the reply worker is stopped too.
  let stopped = false;
  const outbox = {
    enqueue: async () => {},
    start: async () => {},
    work: async () => {},
    stop: async () => void (stopped = true),
  };
  const vonage = loadConfig({ PORT: String(port), PROVIDERS: 'vonage' });
  await t.rejects(
    startService(vonage, createLogger('silent'), (c) => c.registerInstance(TOKENS.Outbox, outbox), db),
    { code: 'EADDRINUSE' },
  );
  t.notOk(stopped, 'an outbox registered by the caller is the caller’s to stop');

  const dataDir = mkdtempSync(join(tmpdir(), 'berinia-data-'));
  const embedded = loadConfig({ PORT: String(port), PROVIDERS: 'vonage', DATA_DIR: dataDir });
  await t.rejects(startService(embedded, createLogger('silent')), { code: 'EADDRINUSE' });
  const again = await openDatabase(embedded, createLogger('silent'));
  t.ok(again, 'the worker and the embedded database were released');
  await again.destroy();
});

t.test('openDatabase: embedded PGlite in DATA_DIR by default, migrated', async (t) => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'berinia-data-')), 'nested');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const db = await openDatabase(loadConfig({ DATA_DIR: dataDir }), createLogger('info', sink));
  t.teardown(() => db.destroy());
  const tables = await db.introspection.getTables();
  t.same(tables.map((table) => table.name).sort(), [
    'consent_events',
    'deliveries',
    'delivery_events',
    'inbound_messages',
    'leads',
    'message_parts',
    'review_examples',
    'tasks',
  ]);
  t.ok(lines.some((line) => line.includes('migration applied')));
});

t.test('openDatabase check: a tool does not create the embedded database', async (t) => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'berinia-data-')), 'nested');
  const config = loadConfig({ DATA_DIR: dataDir });
  await t.rejects(openDatabase(config, createLogger('silent'), 'check'), {
    name: 'SchemaNotCurrentError',
    message: /^the database schema is not current \(never migrated: \d+ migrations pending\)/,
  });
  t.notOk(existsSync(dataDir), 'nothing written');
  await (await openDatabase(config, createLogger('silent'))).destroy();
  await t.resolves(
    openDatabase(config, createLogger('silent'), 'check').then((db) => db.destroy()),
    'once migrated, it is read',
  );
});

t.test('openDatabase: a Postgres that cannot be reached names the cause in one line, never the password', async (t) => {
  const unreachable = async (url: string, schema?: SchemaPolicy): Promise<Error> => {
    const config = loadConfig({ DATABASE_URL: url, HANDLER_TIMEOUT_MS: '1500' });
    const error = await openDatabase(config, createLogger('silent'), schema).then(
      () => new Error('opened'),
      (reason: Error) => reason,
    );
    t.type(error, DatabaseUnreachableError);
    t.equal(databaseExitStatus(error), 69, 'EX_UNAVAILABLE: systemd restarts the service');
    t.notMatch(error.message, /s3cret/);
    return error;
  };
  t.equal(
    (await unreachable('postgres://nobody:s3cret@127.0.0.1:1/none')).message,
    'database unreachable: connect ECONNREFUSED 127.0.0.1:1',
  );
  const unknown = new URL(ADMIN_URL);
  unknown.password = 's3cret';
  unknown.pathname = '/nope_x';
  t.equal(
    (await unreachable(unknown.toString(), 'check')).message,
    'database unreachable: database "nope_x" does not exist',
    'a tool checking the schema is told the same',
  );
  // `localhost` with both ::1 and 127.0.0.1 refused: Node's AggregateError has no message of its own.
  const both = new AggregateError(
    [new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')],
    '',
  );
  t.equal(unreachableReason(both), 'connect ECONNREFUSED ::1:5432, connect ECONNREFUSED 127.0.0.1:5432');
  t.equal(unreachableReason(new AggregateError([], 'all refused')), 'all refused');
  t.equal(databaseExitStatus(new Error('a bug')), null, 'anything else is not a database state: its stack');
});

t.test('openDatabase check: a schema behind the code is refused unwritten; current or newer passes', async (t) => {
  const url = await createTestDatabase(t);
  const config = loadConfig({ DATABASE_URL: url });
  const logger = createLogger('silent');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  const tables = async () =>
    Number(
      (await admin.query(`select count(*) from information_schema.tables where table_schema = 'public'`)).rows[0].count,
    );

  const never = await openDatabase(config, logger, 'check').then(
    () => new Error('opened'),
    (error: Error) => error,
  );
  t.type(never, SchemaNotCurrentError);
  t.match(
    never.message,
    /^the database schema is not current \(never migrated: \d+ migrations pending\): run npm run migrate$/,
  );
  t.equal(databaseExitStatus(never), 66, 'EX_NOINPUT');
  t.equal(await tables(), 0, 'nothing created, not even the migration table');

  await (await openDatabase(config, logger)).destroy();
  const migrated = await tables();
  const [last] = (await admin.query('select name from kysely_migration order by name desc limit 1')).rows;
  await admin.query('delete from kysely_migration where name = $1', [last.name]);
  await t.rejects(openDatabase(config, logger, 'check'), {
    message: 'the database schema is not current (1 migration pending): run npm run migrate',
    pending: [last.name],
  });
  t.equal(await tables(), migrated, 'still nothing written');
  const applied = await admin.query('select 1 from kysely_migration where name = $1', [last.name]);
  t.equal(applied.rowCount, 0, 'the pending migration was not applied behind the operator’s back');

  await admin.query(`insert into kysely_migration (name, timestamp) values ($1, $2)`, [
    last.name,
    new Date().toISOString(),
  ]);
  const current = capturedLogger();
  await (await openDatabase(config, current.logger, 'check')).destroy();
  t.same(current.lines, [], 'current: nothing to say');
  await admin.query(`insert into kysely_migration (name, timestamp) values ('2099-01-01-001-a-newer-release', $1)`, [
    new Date().toISOString(),
  ]);
  const newer = capturedLogger();
  await t.resolves(
    openDatabase(config, newer.logger, 'check').then((db) => db.destroy()),
    'a migration of a newer release does not stop an older tool',
  );
  // The service migrates, and Kysely refuses to migrate past a migration it does not know.
  await t.rejects(openDatabase(config, createLogger('silent')), {
    message: 'database migration failed',
    cause: { message: /corrupted migrations: previously executed migration 2099-01-01-001-a-newer-release is missing/ },
  });
  t.match(newer.lines, [/"unknown":\["2099-01-01-001-a-newer-release"\].*the database schema is newer than this code/]);
});

t.test('a tool opening a database: any other failure is thrown as it is (a bug keeps its stack)', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'berinia-data-')), 'a-file');
  writeFileSync(file, '');
  const cli = { ...memoryIo({}).io, name: 'migrate' };
  await t.rejects(openCliDatabase(cli, loadConfig({ DATA_DIR: file }), createLogger('silent'), 'migrate'), {
    code: 'EEXIST',
  });
});

t.test('openDatabase: Postgres with DATABASE_URL; a killed idle connection is logged, not fatal', async (t) => {
  const url = await createTestDatabase(t);
  const { logger, lines } = capturedLogger();
  const db = await openDatabase(loadConfig({ DATABASE_URL: url }), logger);
  t.teardown(() => db.destroy());
  t.same((await db.introspection.getTables()).map((table) => table.name).sort(), [
    'consent_events',
    'deliveries',
    'delivery_events',
    'inbound_messages',
    'leads',
    'message_parts',
    'review_examples',
    'tasks',
  ]);
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'berinia-webhook'`,
    [name],
  );
  await admin.end();
  await until(() => lines.some((line) => line.includes('idle database connection lost')));
  t.pass('the pool reported the lost connection');
  await t.resolves(sql`select 1`.execute(db), 'and the next query gets a fresh connection');
});

t.test('the parts expiry job logs a failure and tries again at its next run', async (t) => {
  const { logger, lines } = capturedLogger();
  const pipelines = new Map([
    ['twilio', { expireStale: async () => [] }],
    [
      'vonage',
      {
        expireStale: async () => {
          throw new StorageError('expiring message parts failed');
        },
      },
    ],
  ]);
  const container = { resolve: () => pipelines } as unknown as DependencyContainer;
  t.equal(await expireParts(container, logger), 0);
  const failed = lines.find((line) => line.includes('incomplete messages not read: will retry'));
  t.match(failed, /"provider":"vonage"/);
});
