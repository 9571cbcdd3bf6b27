/**
 * Whether BerinIA may text or call a number, from its consent ledger:
 *   npm run can-contact -- +33612345678 [--channel sms|calls]
 */
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { CheckContactability } from '../../core/contactability.js';
import { cliConfig } from './env.js';
import { cliRepository } from './db.js';
import { cliArguments, refuse } from './usage.js';

const USAGE = `usage: npm run can-contact -- +33612345678 [--channel sms|calls]

Prints one JSON line {"phone", "sms", "calls", "reason"} from the number's consent ledger (numbers
in any national format are read with PHONE_REGION). Exits 0 when the channel (default sms) is
allowed, 1 when it is not: usable in a script before sending.
`;
const { values, positionals } = cliArguments(USAGE, { channel: { type: 'string', default: 'sms' } }, true);
if (positionals.length !== 1) refuse(USAGE, 'one phone number is required');
if (values.channel !== 'sms' && values.channel !== 'calls') refuse(USAGE, '--channel must be sms or calls');
const phone = toE164(positionals[0] as string, cliConfig().phoneRegion);
if (phone === null) refuse(USAGE, `not a phone number: ${positionals[0] as string}`);
const { repository, db } = await cliRepository();
try {
  const answer = await new CheckContactability(repository).execute(phone);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  process.exitCode = answer[values.channel] ? 0 : 1;
} finally {
  await db.destroy();
}
