/**
 * Lists leads, or registers the numbers a campaign texted:
 *   npm run leads                         every lead, newest change first
 *   npm run leads -- --status opted_out   only one status
 *   npm run leads -- --add +33612345678 --campaign spring-2026
 */
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { cliRepository } from './db.js';
import { cliConfig } from './env.js';
import { runIfMain, tool } from './tool.js';
import { cliArgs } from './usage.js';

const STATUSES = [
  'active',
  'opted_out',
  'interested',
  'not_interested',
  'callback_requested',
  'meeting_requested',
  'question',
  'wrong_number',
  'held',
] as const;
type Status = (typeof STATUSES)[number];

const USAGE = `usage: npm run leads -- [--status STATUS] [--json]
       npm run leads -- --add NUMBER [--add NUMBER...] [--campaign NAME]

Lists leads, newest change first (--status: ${STATUSES.join(', ')}), or registers the numbers a
campaign texted (any format; stored in E.164, read in PHONE_REGION's numbering).
`;

export const run = tool('leads', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, {
    status: { type: 'string' },
    add: { type: 'string', multiple: true },
    campaign: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.status !== undefined && !(STATUSES as readonly string[]).includes(values.status)) {
    cli.stderr.write(`leads: --status must be one of ${STATUSES.join(', ')}\n`);
    return 2;
  }

  let status = 0;
  const { repository, db } = await cliRepository(cli);
  try {
    const region = cliConfig(cli).phoneRegion;
    for (const typed of values.add ?? []) {
      // One prospect is one lead however the number was typed: stored in E.164, as replies come in.
      const phone = toE164(typed, region);
      if (phone === null) {
        cli.stderr.write(`leads: ${JSON.stringify(typed)} is not a phone number (read in ${region} numbering)\n`);
        status = 1;
        continue;
      }
      await repository.saveLead(phone, values.campaign ?? null, new Date());
      cli.stdout.write(`saved ${phone} (campaign ${values.campaign ?? 'none'})\n`);
    }
    if (values.add === undefined) {
      const leads = await repository.listLeads(values.status as Status | undefined);
      if (values.json) for (const lead of leads) cli.stdout.write(`${JSON.stringify(lead)}\n`);
      else {
        cli.stdout.write(`${leads.length} lead(s)\n`);
        for (const lead of leads) {
          const optOut = lead.opted_out_at
            ? `\topted out ${lead.opted_out_at.toISOString()} (${lead.opt_out_scope})`
            : '';
          cli.stdout.write(`${lead.phone}\t${lead.status}\t${lead.campaign_id ?? '-'}${optOut}\n`);
        }
      }
    }
  } finally {
    await db.destroy();
  }
  return status;
});

await runIfMain(import.meta.url, run);
