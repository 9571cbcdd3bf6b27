/**
 * Whether BerinIA may text or call a number, from its consent ledger:
 *   npm run can-contact -- +33612345678 [--channel sms|calls]
 */
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { CheckContactability } from '../../core/contactability.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import { cliArguments, refuse } from './usage.js';

const USAGE = `usage: npm run can-contact -- +33612345678 [--channel sms|calls]

Prints one JSON line {"phone", "sms", "calls", "reason"} from the number's consent ledger (numbers
in any national format are read with PHONE_REGION). Exits 0 when the channel (default sms) is
allowed, 1 when it is not: usable in a script before sending.
`;

export const run = tool('can-contact', async (cli, args) => {
  const { values, positionals } = cliArguments(cli, args, USAGE, { channel: { type: 'string', default: 'sms' } }, true);
  if (positionals.length !== 1) refuse(cli, USAGE, 'one phone number is required');
  if (values.channel !== 'sms' && values.channel !== 'calls') refuse(cli, USAGE, '--channel must be sms or calls');
  const phone = toE164(positionals[0] as string, cliConfig(cli).phoneRegion);
  if (phone === null) refuse(cli, USAGE, `not a phone number: ${positionals[0] as string}`);
  const { repository, db } = await cliRepository(cli);
  try {
    const answer = await new CheckContactability(repository).execute(phone);
    cli.stdout.write(`${JSON.stringify(answer)}\n`);
    return answer[values.channel] ? 0 : 1;
  } finally {
    await db.destroy();
  }
});

await runIfMain(import.meta.url, run);
