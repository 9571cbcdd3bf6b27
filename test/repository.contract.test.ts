import t from 'tap';
import { sql } from 'kysely';
import { InMemoryRepository } from '../adapters/memory/in-memory-repository.js';
import { createPgliteDatabase } from '../adapters/pglite/pglite-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import { createMigratedDatabase } from './fixtures/postgres.js';
import { repositoryContract } from './fixtures/repository-contract.js';

t.test('in-memory', async (t) => {
  repositoryContract(t, async () => new InMemoryRepository());
});

t.test('pglite (embedded)', async (t) => {
  // One engine for the suite (starting PGlite takes seconds); each test starts from empty tables.
  const db = await createPgliteDatabase<Database>(null);
  await migrateToLatest(db);
  const repo = new KyselyRepository(db);
  t.teardown(() => db.destroy());
  repositoryContract(t, async () => {
    // The ledger refuses TRUNCATE to the application; the suite's owner lifts that for its reset.
    await sql`alter table consent_events disable trigger consent_events_append_only`.execute(db);
    await sql`truncate inbound_messages, leads, tasks, review_examples, consent_events restart identity cascade`.execute(
      db,
    );
    await sql`alter table consent_events enable trigger consent_events_append_only`.execute(db);
    return repo;
  });
});

t.test('postgres', async (t) => {
  repositoryContract(t, async (t) => {
    const { db } = await createMigratedDatabase(t);
    return new KyselyRepository(db);
  });
});
