import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export interface PostgresOptions {
  readonly connectionString: string;
  /** Pool size; a few connections serve thousands of requests per second. */
  readonly max: number;
  /** Bound on a statement, so that a slow database answers an error before the caller's deadline. */
  readonly statementTimeoutMs: number;
  /** Called for errors of idle pooled clients (the server restarted...); without it they crash the process. */
  readonly onPoolError: (error: Error) => void;
}

export function createPostgresDatabase(options: PostgresOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: Math.min(options.statementTimeoutMs, 5000),
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    application_name: 'berinia-webhook',
  });
  pool.on('error', options.onPoolError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
