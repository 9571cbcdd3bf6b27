import type { Kysely } from 'kysely';
import { KyselyRepository } from '../../adapters/postgres/kysely-repository.js';
import type { Database } from '../../adapters/postgres/schema.js';
import { openDatabase } from '../database.js';
import { createLogger } from '../logger.js';
import { cliConfig } from './env.js';

/** Opens (and migrates) the configured database for a command-line tool, logging to stderr. */
export async function cliRepository(): Promise<{ repository: KyselyRepository; db: Kysely<Database> }> {
  const config = cliConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const db = await openDatabase(config, logger);
  return { repository: new KyselyRepository(db), db };
}
