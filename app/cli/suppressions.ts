/**
 * Suppression lists in and out:
 *   npm run suppressions -- --import bloctel.csv [--scope all|sms|calls] [--by NAME]
 *   npm run suppressions -- --export [--hashed] > suppressed.csv
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { suppressionsOf } from '../../core/consent.js';
import type { ConsentEvent } from '../../core/consent.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import type { Cli } from './tool.js';
import { cliArgs, refuse } from './usage.js';

const USAGE = `usage: npm run suppressions -- --import FILE.csv [--scope all|sms|calls] [--by NAME]
       npm run suppressions -- --export [--hashed]

--import reads a CSV with a header holding a "phone" column (numbers in any format, read with
PHONE_REGION; optional "scope" and "reason" columns). Every line must be a number: otherwise each
bad line is reported and nothing is imported (exit 65). Each number becomes a ledger event
(source import) with the file's name and SHA-256.
--export writes the numbers the ledger refuses as CSV: phone, since, scope, source; --hashed gives
the SHA-256 of each E.164 number instead, to share with another sender without sharing numbers.
`;

const SCOPES = ['all', 'sms', 'calls'] as const;
const isScope = (text: string): text is (typeof SCOPES)[number] => (SCOPES as readonly string[]).includes(text);

/** The events of an import, or every line's problem. */
function readImport(
  cli: Cli,
  file: string,
  scope: (typeof SCOPES)[number],
  by: string,
): { events: ConsentEvent[]; problems: string[] } {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    return { events: [], problems: [`${file}: ${(error as Error).message}`] };
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (error) {
    return { events: [], problems: [`${file}: not a CSV file this tool can read: ${(error as Error).message}`] };
  }
  if (rows.length > 0 && !('phone' in (rows[0] as (typeof rows)[number]).record))
    return { events: [], problems: [`${file}: the header has no "phone" column`] };
  const region = cliConfig(cli).phoneRegion;
  const at = new Date();
  const events: ConsentEvent[] = [];
  const problems: string[] = [];
  for (const { record, info } of rows) {
    const phone = toE164(record['phone'] as string, region); // the header has the column
    const lineScope = record['scope'] || scope;
    if (phone === null) problems.push(`line ${info.lines}: not a phone number: ${JSON.stringify(record['phone'])}`);
    else if (!isScope(lineScope)) problems.push(`line ${info.lines}: scope must be all, sms or calls`);
    else {
      const reason = record['reason'] ? { reason: record['reason'] } : {};
      const evidence = { file: { name: basename(file), sha256 }, by, ...reason };
      events.push({ phone, event: 'import', scope: lineScope, source: 'import', evidence, occurred_at: at });
    }
  }
  return { events, problems };
}

export const run = tool('suppressions', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, {
    import: { type: 'string' },
    export: { type: 'boolean', default: false },
    hashed: { type: 'boolean', default: false },
    scope: { type: 'string', default: 'all' },
    by: { type: 'string', default: cli.env['USER'] ?? 'operator' },
  });
  if ((values.import === undefined) === !values.export) refuse(cli, USAGE, 'give one of --import FILE or --export');
  if (!isScope(values.scope)) refuse(cli, USAGE, '--scope must be all, sms or calls');

  let status = 0;
  const { repository, db } = await cliRepository(cli);
  try {
    if (values.import !== undefined) {
      const { events, problems } = readImport(cli, values.import, values.scope, values.by);
      if (problems.length > 0) {
        cli.stderr.write(`${problems.join('\n')}\nnothing imported: fix the lines above and import again\n`);
        status = 65; // EX_DATAERR
      } else {
        await repository.recordConsent(events);
        cli.stdout.write(`${events.length} number(s) imported from ${basename(values.import)}\n`);
      }
    } else {
      const rows = suppressionsOf(await repository.listConsent()).map((one) => ({
        phone: values.hashed ? createHash('sha256').update(one.phone).digest('hex') : one.phone,
        since: one.since.toISOString(),
        scope: one.scope,
        source: one.source,
      }));
      const columns = [values.hashed ? 'phone_sha256' : 'phone', 'since', 'scope', 'source'];
      cli.stdout.write(
        stringify(
          rows.map((row) => Object.values(row)),
          { header: true, columns },
        ),
      );
    }
  } finally {
    await db.destroy();
  }
  return status;
});

await runIfMain(import.meta.url, run);
