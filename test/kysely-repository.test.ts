import t from 'tap';
import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { PGLITE_TEMPLATE } from '../adapters/pglite/pglite-database.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import type { Database } from '../adapters/postgres/schema.js';
import { message, recordRequest } from './fixtures/messages.js';
import { createTestDatabase } from './fixtures/postgres.js';

/** What only the SQL repository does: concurrent records are written together, one statement a batch. */
function suite(t: Test, make: (t: Test, statements: string[]) => Promise<Kysely<Database>>): void {
  const sender = (i: number) => `+336200000${String(i).padStart(2, '0')}`;

  t.test('a burst is written 16 messages a statement, after the message already being written', async (t) => {
    const statements: string[] = [];
    const repo = new KyselyRepository(await make(t, statements));
    statements.length = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 33 }, (_, i) => repo.record(recordRequest(message({ sender: sender(i) }), 'INTERESTED'))),
    );
    t.equal(outcomes.filter((o) => o.kind === 'stored').length, 33);
    t.equal(
      statements.filter((text) => text.includes('jsonb_to_recordset')).length,
      3,
      'the first alone, then 16 and 16',
    );
    t.equal(statements.length, 3, 'nothing else');
    t.equal((await repo.listLeads('interested')).length, 33, 'every action applied');
  });

  t.test('a message the database refuses fails alone; the rest of its batch is stored', async (t) => {
    const repo = new KyselyRepository(await make(t, []));
    const requests = [0, 1, 2, 3].map((i) =>
      recordRequest(message({ sender: sender(i), content: i === 2 ? 'nul \u0000 byte' : 'Oui' }), 'INTERESTED'),
    );
    const outcomes = await Promise.allSettled(requests.map((request) => repo.record(request)));
    t.match(outcomes, [
      { status: 'fulfilled', value: { kind: 'stored' } },
      { status: 'fulfilled', value: { kind: 'stored' } },
      { status: 'rejected' },
      { status: 'fulfilled', value: { kind: 'stored' } },
    ]);
    t.equal(await repo.findMessage('twilio', requests[2]!.message.message_id), undefined, 'not stored');
    t.equal(await repo.findLead(sender(2)), undefined, 'and its action not applied');
    t.equal((await repo.listLeads('interested')).length, 3);
  });

  t.test('opt-outs written together cancel each number’s open tasks, with its reason, and no one else’s', async (t) => {
    const db = await make(t, []);
    const repo = new KyselyRepository(db);
    for (const i of [0, 1, 2]) await repo.record(recordRequest(message({ sender: sender(i) }), 'CALLBACK_REQUEST'));
    const burst = [
      recordRequest(message({ sender: sender(9) }), 'INTERESTED'), // written alone; the next two together
      recordRequest(message({ sender: sender(0) }), 'OPT_OUT'),
      recordRequest(message({ sender: sender(1) }), 'WRONG_NUMBER'),
    ];
    await Promise.all(burst.map((request) => repo.record(request)));
    const tasks = await db.selectFrom('tasks').select(['phone', 'status', 'cancel_reason']).orderBy('phone').execute();
    t.same(tasks, [
      { phone: sender(0), status: 'cancelled', cancel_reason: 'opt_out (reply)' },
      { phone: sender(1), status: 'cancelled', cancel_reason: 'suppress (reply)' },
      { phone: sender(2), status: 'open', cancel_reason: null },
    ]);
  });
}

/** A migrated Kysely over `dialect` that notes the text of every statement it runs. */
async function noting(t: Test, dialect: Dialect, statements: string[]): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({ dialect, log: (event) => void statements.push(event.query.sql) });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  return db;
}

t.test('postgres', async (t) => {
  suite(t, async (t, statements) => {
    const pool = new pg.Pool({ connectionString: await createTestDatabase(t) });
    pool.on('error', () => {}); // the database is dropped at teardown
    return noting(t, new PostgresDialect({ pool }), statements);
  });
});

t.test('pglite (embedded)', async (t) => {
  suite(t, async (t, statements) => {
    // From the shipped template, as the service makes a new database: initdb in WebAssembly takes seconds.
    const pglite = new PGlite({ loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE)]) });
    return noting(t, new PGliteDialect(pglite), statements);
  });
});
