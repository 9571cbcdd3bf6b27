/**
 * One campaign's results: npm run report -- --campaign spring-2026 [--since 2026-11-01] [--format table|csv|json]
 */
import { stringify } from 'csv-stringify/sync';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import { cliArgs, refuse } from './usage.js';

const USAGE = `usage: npm run report -- --campaign NAME [--since 2026-11-01] [--format table|csv|json]

The campaign's messages that reported back (delivery receipts) by state, failures by error code,
replies and reply rate, the intent mix, the opt-out rate and its open tasks. --since counts only
receipts and replies from that date (default: all). A table in a terminal; csv or json for tools.
`;

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);

export const run = tool('report', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, {
    campaign: { type: 'string' },
    since: { type: 'string' },
    format: { type: 'string', default: 'table' },
  });
  if (values.campaign === undefined || values.campaign === '') refuse(cli, USAGE, '--campaign is required');
  const since = new Date(values.since ?? 0);
  if (Number.isNaN(since.getTime()))
    refuse(cli, USAGE, `--since must be a date such as 2026-11-01, got '${values.since}'`);
  if (!['table', 'csv', 'json'].includes(values.format)) refuse(cli, USAGE, '--format must be table, csv or json');

  const { repository, db } = await cliRepository(cli);
  try {
    const report = await repository.campaignReport(values.campaign, since);
    const reported = sum(report.deliveries);
    const replies = sum(report.intents);
    const optOuts = report.intents['OPT_OUT'] ?? 0;
    const rows: [string, string | number | null][] = [
      ['reported back', reported],
      ...Object.entries(report.deliveries).map(([status, n]): [string, number] => [`  ${status}`, n]),
      ...Object.entries(report.errors).map(([code, n]): [string, number] => [`  failed, error ${code}`, n]),
      ['replies', replies],
      ['reply rate %', percent(replies, reported)],
      ...Object.entries(report.intents).map(([intent, n]): [string, number] => [`  ${intent}`, n]),
      ['opt-out rate %', percent(optOuts, replies)],
      ['open tasks', report.open_tasks],
    ];
    if (values.format === 'json') {
      const summary = {
        reported,
        replies,
        reply_rate: percent(replies, reported),
        opt_out_rate: percent(optOuts, replies),
      };
      cli.stdout.write(`${JSON.stringify({ ...report, ...summary, since: values.since ?? null })}\n`);
    } else if (values.format === 'csv') {
      const trimmed = rows.map(([name, value]) => [name.trim(), value ?? '']);
      cli.stdout.write(stringify(trimmed, { header: true, columns: ['measure', 'value'] }));
    } else {
      const width = Math.max(...rows.map(([name]) => name.length));
      cli.stdout.write(`campaign ${report.campaign_id}${values.since === undefined ? '' : ` since ${values.since}`}\n`);
      for (const [name, value] of rows) cli.stdout.write(`${name.padEnd(width)}  ${value ?? '–'}\n`);
    }
  } finally {
    await db.destroy();
  }
  return 0;
});

await runIfMain(import.meta.url, run);
