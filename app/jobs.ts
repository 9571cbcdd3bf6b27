import type { Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { PgBossOutbox } from '../adapters/outbox/pg-boss-outbox.js';
import { pgliteStatements } from '../adapters/pglite/pglite-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import type { Config } from './config.js';

/**
 * The reply outbox on the service's own database: a small pool of its own on Postgres, or the
 * embedded database's one connection, shared with the repository in turns.
 */
export function createOutbox(config: Config, db: Kysely<Database>, logger: Logger): PgBossOutbox {
  let connection: PgBoss.DatabaseOptions;
  if (config.databaseUrl !== null) {
    connection = { connectionString: config.databaseUrl, max: 2, application_name: 'berinia-webhook-replies' };
  } else {
    const statements = pgliteStatements(db);
    if (statements === undefined) throw new Error('the reply queue needs DATABASE_URL or the embedded database');
    connection = { db: statements };
  }
  const boss = new PgBoss({ ...connection, schedule: false });
  return new PgBossOutbox(
    boss,
    {
      retryLimit: config.replies.retryLimit,
      retryDelaySeconds: config.replies.retryDelaySeconds,
      pollingIntervalSeconds: 1,
      stopTimeoutMs: config.shutdownTimeoutMs,
    },
    logger.child({ component: 'replies' }),
  );
}
