/** Applies pending migrations to the configured database (`npm run migrate`); each one is logged. */
import { createLogger } from '../logger.js';
import { openCliDatabase } from './db.js';
import { cliConfig } from './env.js';
import { runIfMain, tool } from './tool.js';
import { cliArgs } from './usage.js';

const USAGE =
  'usage: npm run migrate\n\n' +
  'Applies pending migrations to the configured database (DATABASE_URL, else PGlite in DATA_DIR).\n';

export const run = tool('migrate', async (cli, args) => {
  cliArgs(cli, args, USAGE, {});
  const config = cliConfig(cli);
  const db = await openCliDatabase(cli, config, createLogger(config.logLevel, cli.stderr), 'migrate');
  cli.stdout.write(
    `database schema up to date (${config.databaseUrl === null ? `pglite in ${config.dataDir}` : 'postgres'})\n`,
  );
  await db.destroy();
  return 0;
});

await runIfMain(import.meta.url, run);
