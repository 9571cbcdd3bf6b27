import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { KyselyRepository } from '../../adapters/postgres/kysely-repository.js';
import type { Database } from '../../adapters/postgres/schema.js';
import type { Config } from '../config.js';
import { databaseExitStatus, openDatabase } from '../database.js';
import type { SchemaPolicy } from '../database.js';
import { createLogger } from '../logger.js';
import { cliConfig } from './env.js';
import { exit } from './tool.js';
import type { Cli } from './tool.js';

/**
 * Opens the configured database for a command-line tool, checking that its schema is current
 * (`npm run migrate` alone migrates: `schema`). A database the tool cannot use as it is makes it
 * write one line saying why and exit without touching it: unreachable, 69 (EX_UNAVAILABLE); a
 * schema behind the code, 66 (EX_NOINPUT); the embedded database open in another process (the
 * service), 75 (EX_TEMPFAIL).
 */
export async function openCliDatabase(
  cli: Cli,
  config: Config,
  logger: Logger,
  schema: SchemaPolicy = 'check',
): Promise<Kysely<Database>> {
  try {
    return await openDatabase(config, logger, schema);
  } catch (error) {
    const status = databaseExitStatus(error);
    if (status === null) throw error;
    cli.stderr.write(`${cli.name}: ${(error as Error).message}\n`);
    return exit(status);
  }
}

/** Opens the configured database for a command-line tool (`openCliDatabase`), logging to stderr. */
export async function cliRepository(cli: Cli): Promise<{ repository: KyselyRepository; db: Kysely<Database> }> {
  const config = cliConfig(cli);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, cli.stderr);
  const db = await openCliDatabase(cli, config, logger);
  return { repository: new KyselyRepository(db), db };
}
