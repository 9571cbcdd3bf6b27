/**
 * A number's consent history, oldest first: npm run consent -- +33612345678 [--json]
 */
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { permissionsOf } from '../../core/consent.js';
import type { ConsentEvent } from '../../core/consent.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import { cliArguments, refuse } from './usage.js';

const USAGE = `usage: npm run consent -- +33612345678 [--json]

Prints every change of permission of the number, oldest first (who or what decided, when, the
evidence), then what it may receive now. --json: one JSON object per event.
`;

const EVENTS: Record<ConsentEvent['event'], string> = {
  opt_out: 'opted out',
  opt_in: 'opted back in',
  hold: 'held for review',
  release: 'released from review',
  suppress: 'suppressed',
  import: 'imported as suppressed',
};

/** One event as a person reads it. */
function line(event: ConsentEvent): string {
  const { evidence } = event;
  const said = evidence.words === undefined ? '' : ` said "${evidence.words}"`;
  const read = evidence.intent === undefined ? '' : ` read as ${evidence.intent}`;
  const confidence = evidence.confidence === undefined ? '' : ` (${Math.round(evidence.confidence * 100)} %)`;
  const by = evidence.by === undefined ? '' : ` by ${evidence.by}`;
  const code = evidence.error_code === undefined ? '' : ` error ${evidence.error_code}`;
  const file = evidence.file === undefined ? '' : ` from ${evidence.file.name} (sha256 ${evidence.file.sha256})`;
  const reason = evidence.reason === undefined ? '' : `: ${evidence.reason}`;
  const message = evidence.inbound_message_id === undefined ? '' : ` [message ${evidence.inbound_message_id}]`;
  const what = `${event.occurred_at.toISOString()}  ${EVENTS[event.event]} (${event.scope}), ${event.source}`;
  return what + by + said + read + confidence + code + file + reason + message;
}

export const run = tool('consent', async (cli, args) => {
  const { values, positionals } = cliArguments(cli, args, USAGE, { json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) refuse(cli, USAGE, 'one phone number is required');
  const phone = toE164(positionals[0] as string, cliConfig(cli).phoneRegion);
  if (phone === null) refuse(cli, USAGE, `not a phone number: ${positionals[0] as string}`);

  const { repository, db } = await cliRepository(cli);
  try {
    const history = await repository.consentHistory(phone);
    if (values.json) for (const event of history) cli.stdout.write(`${JSON.stringify(event)}\n`);
    else {
      cli.stdout.write(`${phone}: ${history.length} change(s) of permission\n`);
      for (const event of history) cli.stdout.write(`${line(event)}\n`);
      const now = permissionsOf(history);
      const allowed = (yes: boolean) => (yes ? 'allowed' : 'refused');
      const why = now.reason === null ? '' : ` (${now.reason})`;
      cli.stdout.write(`now: sms ${allowed(now.sms)}, calls ${allowed(now.calls)}${why}\n`);
    }
  } finally {
    await db.destroy();
  }
  return 0;
});

await runIfMain(import.meta.url, run);
