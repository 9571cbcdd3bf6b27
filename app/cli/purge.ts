/**
 * Erases the personal data of messages older than RETENTION_DAYS (GDPR); opt-outs are kept.
 *   npm run purge                 uses RETENTION_DAYS (default 365)
 *   npm run purge -- --days 90
 */
import { cliArgs } from './usage.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';

const USAGE = `usage: npm run purge -- [--days N]

Erases the personal data older than RETENTION_DAYS (default 365), or N days (README, "Personal
data"); opt-outs and the rows stay. berinia-webhook-purge.timer runs it daily in production.
`;

export const run = tool('purge', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, { days: { type: 'string' } });
  const days = values.days === undefined ? cliConfig(cli).retentionDays : Number(values.days);
  if (!Number.isInteger(days) || days < 0) {
    cli.stderr.write(`purge: --days must be a whole number of days, got '${values.days}'\n`);
    return 2;
  }
  if (days === 0) {
    cli.stdout.write('retention is unlimited (RETENTION_DAYS=0): nothing purged\n');
    return 0;
  }
  const before = new Date(Date.now() - days * 86_400_000);
  const { repository, db } = await cliRepository(cli);
  try {
    const count = await repository.purgeMessageData(before);
    cli.stdout.write(`purged the personal data of ${count} message(s) received before ${before.toISOString()}\n`);
  } finally {
    await db.destroy();
  }
  return 0;
});

await runIfMain(import.meta.url, run);
