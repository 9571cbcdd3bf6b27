import { basename, extname } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { KyselyRepository } from '../../adapters/postgres/kysely-repository.js';
import type { Database } from '../../adapters/postgres/schema.js';
import type { Config } from '../config.js';
import { DataDirectoryInUseError, EX_TEMPFAIL, openDatabase } from '../database.js';
import { createLogger } from '../logger.js';
import { cliConfig } from './env.js';

/**
 * Opens (and migrates) the configured database for a command-line tool. When the embedded
 * database is open in another process (the service), the tool writes one line saying so and
 * exits 75 (EX_TEMPFAIL) without touching it.
 */
export async function openCliDatabase(config: Config, logger: Logger): Promise<Kysely<Database>> {
  try {
    return await openDatabase(config, logger);
  } catch (error) {
    if (!(error instanceof DataDirectoryInUseError)) throw error;
    const tool = basename(process.argv[1] as string, extname(process.argv[1] as string));
    process.stderr.write(`${tool}: ${error.message}\n`);
    process.exit(EX_TEMPFAIL);
  }
}

/** Opens (and migrates) the configured database for a command-line tool, logging to stderr. */
export async function cliRepository(): Promise<{ repository: KyselyRepository; db: Kysely<Database> }> {
  const config = cliConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const db = await openCliDatabase(config, logger);
  return { repository: new KyselyRepository(db), db };
}
