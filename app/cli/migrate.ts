/** Applies pending migrations to the configured database (`npm run migrate`); each one is logged. */
import { createLogger } from '../logger.js';
import { openCliDatabase } from './db.js';
import { cliConfig } from './env.js';
import { cliArgs } from './usage.js';

const USAGE =
  'usage: npm run migrate\n\n' +
  'Applies pending migrations to the configured database (DATABASE_URL, else PGlite in DATA_DIR).\n';
cliArgs(USAGE, {});
const config = cliConfig();
const db = await openCliDatabase(config, createLogger(config.logLevel, process.stderr), 'migrate');
process.stdout.write(
  `database schema up to date (${config.databaseUrl === null ? `pglite in ${config.dataDir}` : 'postgres'})\n`,
);
await db.destroy();
