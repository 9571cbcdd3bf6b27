/** Applies pending migrations to the configured database (`npm run migrate`); each one is logged. */
import { openDatabase } from '../database.js';
import { createLogger } from '../logger.js';
import { cliConfig } from './env.js';

const config = cliConfig();
const db = await openDatabase(config, createLogger(config.logLevel, process.stderr));
process.stdout.write(
  `database schema up to date (${config.databaseUrl === null ? `pglite in ${config.dataDir}` : 'postgres'})\n`,
);
await db.destroy();
