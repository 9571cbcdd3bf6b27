import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createPgliteDatabase, DataDirectoryInUseError } from '../adapters/pglite/pglite-database.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import { createPostgresDatabase } from '../adapters/postgres/postgres-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import type { Config } from './config.js';

export { DataDirectoryInUseError };

/**
 * Exit status of a process that finds the embedded database open in another one (sysexits.h
 * EX_TEMPFAIL: it may work once that process stops). systemd restarts the service on it.
 */
export const EX_TEMPFAIL = 75;

/**
 * Opens Postgres when `DATABASE_URL` is set, else the embedded PGlite in `DATA_DIR`, and migrates
 * it. The embedded database is one process's: it throws `DataDirectoryInUseError` while another
 * process has it open.
 */
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
