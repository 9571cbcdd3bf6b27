import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createPgliteDatabase, DataDirectoryInUseError } from '../adapters/pglite/pglite-database.js';
import { MIGRATION_NAMES, migrateToLatest, migrationState } from '../adapters/postgres/migrations.js';
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
 * Exit status of a process that cannot reach its Postgres (sysexits.h EX_UNAVAILABLE): refused,
 * unknown host, unknown database or role, password refused. Each can be mended on the database's
 * side without touching the service, so systemd restarts it (within the unit's start limit).
 */
export const EX_UNAVAILABLE = 69;

/**
 * Exit status of a tool that finds a database whose schema is behind the code (sysexits.h
 * EX_NOINPUT: what it would read is not there yet); `npm run migrate` mends it.
 */
export const EX_NOINPUT = 66;

/**
 * Postgres could not be reached or refused the connection. The message is one line, the driver's
 * or the system's reason (`connect ECONNREFUSED 127.0.0.1:5432`, `database "x" does not exist`):
 * it names host, port, role or database, never the password of `DATABASE_URL`.
 */
export class DatabaseUnreachableError extends Error {
  constructor(cause: Error) {
    super(`database unreachable: ${unreachableReason(cause)}`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

/** The database has not run every migration of this code: a tool does not read it, nor migrate it. */
export class SchemaNotCurrentError extends Error {
  constructor(
    readonly pending: readonly string[],
    known: number,
  ) {
    const count = `${pending.length} migration${pending.length === 1 ? '' : 's'} pending`;
    super(
      `the database schema is not current (${pending.length === known ? `never migrated: ${count}` : count}): ` +
        'run npm run migrate',
    );
    this.name = 'SchemaNotCurrentError';
  }
}

/**
 * Why a connection failed, in one line. A host name with several addresses (`localhost`: ::1 and
 * 127.0.0.1) that all refuse fails with an AggregateError whose own message is empty: its
 * addresses' reasons are given instead.
 */
export function unreachableReason(error: Error): string {
  if (error instanceof AggregateError && error.message === '') {
    return (error.errors as Error[]).map(unreachableReason).join(', ');
  }
  return error.message;
}

/**
 * The exit status for an error that says what is wrong with the database in its message (a
 * process prints that line, without a stack), or null for any other error (a bug: its stack).
 */
export function databaseExitStatus(error: unknown): number | null {
  if (error instanceof DataDirectoryInUseError) return EX_TEMPFAIL;
  if (error instanceof DatabaseUnreachableError) return EX_UNAVAILABLE;
  if (error instanceof SchemaNotCurrentError) return EX_NOINPUT;
  return null;
}

/**
 * What `openDatabase` does with the schema: `migrate` applies the pending migrations (the service,
 * `npm run migrate`); `check` refuses a schema behind the code with `SchemaNotCurrentError` and
 * writes nothing (the other tools: a tool run before the deployment's migration must not migrate
 * it behind the operator's back). A schema ahead of the code (a newer release's migrations: an
 * older checkout, or the code rolled back) passes the check with a warning: the tools are what an
 * operator looks with during such an incident, and most of what they read is still there; but a
 * migration may rename what an older tool reads (2026-11-29-002 did), and the warning explains
 * the error that would follow.
 */
export type SchemaPolicy = 'migrate' | 'check';

/**
 * Opens Postgres when `DATABASE_URL` is set, else the embedded PGlite in `DATA_DIR`, and migrates
 * it (or checks it, `schema`). Postgres is connected to first: a connection that fails throws
 * `DatabaseUnreachableError`. The embedded database is one process's: it throws
 * `DataDirectoryInUseError` while another process has it open.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  schema: SchemaPolicy = 'migrate',
): Promise<Kysely<Database>> {
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
    const dataDir = join(config.dataDir, 'pglite');
    // A tool does not create the embedded database: it would find nothing in it to read.
    if (schema === 'check' && !existsSync(join(dataDir, 'PG_VERSION'))) {
      throw new SchemaNotCurrentError(MIGRATION_NAMES, MIGRATION_NAMES.length);
    }
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    db = await createPgliteDatabase<Database>(dataDir);
  }
  try {
    if (config.databaseUrl !== null) await connect(db);
    if (schema === 'check') {
      const { pending, unknown, known } = await migrationState(db);
      if (pending.length > 0) throw new SchemaNotCurrentError(pending, known);
      if (unknown.length > 0)
        logger.warn(
          { unknown },
          'the database schema is newer than this code: read anyway (update the code if a query fails)',
        );
    } else {
      for (const result of await migrateToLatest(db))
        logger.info({ migration: result.migrationName }, 'migration applied');
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

/** A first query, so that a database that cannot be reached says so before anything else is tried. */
async function connect(db: Kysely<Database>): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    throw new DatabaseUnreachableError(error as Error);
  }
}
