import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createPgliteDatabase } from '../adapters/pglite/pglite-database.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import { createPostgresDatabase } from '../adapters/postgres/postgres-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import type { Config } from './config.js';

/** Opens Postgres when `DATABASE_URL` is set, else the embedded PGlite in `DATA_DIR`, and migrates it. */
export async function openDatabase(config: Config, logger: Logger): Promise<Kysely<Database>> {
  let db: Kysely<Database>;
  if (config.databaseUrl !== null) {
    db = createPostgresDatabase({
      connectionString: config.databaseUrl,
      max: config.dbPoolMax,
      statementTimeoutMs: Math.max(config.handlerTimeoutMs - 1000, 100),
      // Only the message: pg attaches the client (with its connection parameters) to the error.
      onPoolError: (error) => logger.warn({ reason: error.message }, 'idle database connection lost'),
    });
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    db = await createPgliteDatabase<Database>(join(config.dataDir, 'pglite'));
  }
  try {
    for (const result of await migrateToLatest(db))
      logger.info({ migration: result.migrationName }, 'migration applied');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
