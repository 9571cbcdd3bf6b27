import { Kysely, PostgresDialect } from 'kysely';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
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
  // A connection can also die while checked out between two queries (the server restarts just as
  // a request takes it from the pool): pg then emits 'error' on the client itself, which would
  // crash the process without a listener. The query in progress fails on its own (503).
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparing(pool) }) });
}

/**
 * The pool as Kysely sees it, with every query sent as a named prepared statement: Postgres parses
 * and plans each distinct SQL text once per connection instead of on every webhook. The texts are
 * the repository's own (values are always parameters), so there are a few dozen at most.
 */
function preparing(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = `berinia_${names.size + 1}`));
    return name;
  };
  return {
    end: () => pool.end(),
    connect: async () => {
      const client = await pool.connect();
      const prepared = {
        query: (text: string, values: unknown[]) => client.query({ name: nameOf(text), text, values }),
        release: () => client.release(),
      };
      // Kysely's client type also allows cursors (streaming), which the repository never uses.
      return prepared as unknown as PostgresPoolClient;
    },
  };
}
