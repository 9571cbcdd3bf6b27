/**
 * Erases the personal data of messages older than RETENTION_DAYS (GDPR); opt-outs are kept.
 *   npm run purge                 uses RETENTION_DAYS (default 365)
 *   npm run purge -- --days 90
 */
import { parseArgs } from 'node:util';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';

const { values } = parseArgs({ options: { days: { type: 'string' } } });
const days = values.days === undefined ? cliConfig().retentionDays : Number(values.days);
if (!Number.isInteger(days) || days < 0) {
  process.stderr.write(`purge: --days must be a whole number of days, got '${values.days}'\n`);
  process.exit(2);
}
if (days === 0) {
  process.stdout.write('retention is unlimited (RETENTION_DAYS=0): nothing purged\n');
  process.exit(0);
}
const before = new Date(Date.now() - days * 86_400_000);
const { repository, db } = await cliRepository();
try {
  const count = await repository.purgeMessageData(before);
  process.stdout.write(`purged the personal data of ${count} message(s) received before ${before.toISOString()}\n`);
} finally {
  await db.destroy();
}
