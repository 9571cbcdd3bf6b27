/**
 * Sends a correctly signed Twilio inbound-SMS webhook to a running service and prints the answer:
 *   npm run sms -- --from +33612345678 --body "Oui, rappelez-moi demain"
 */
import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { listenUrl } from '../config.js';
import { cliConfig } from './env.js';
import { cliArgs } from './usage.js';

const PATH = '/webhook/sms-response';

const USAGE =
  'usage: npm run sms -- --from +33612345678 --body "text" [--to +33...] [--sid SM...] [--opt-out-type STOP]\n' +
  '                      [--target http://127.0.0.1:8001]  (default: HOST and PORT of the configuration)\n' +
  'The request is signed with TWILIO_TOKEN for PUBLIC_URL + /webhook/sms-response, as Twilio would.\n';

const values = cliArgs(USAGE, {
  from: { type: 'string', default: '+33612345678' },
  to: { type: 'string' },
  body: { type: 'string', default: '' },
  sid: { type: 'string' },
  'opt-out-type': { type: 'string' },
  target: { type: 'string' },
});

const config = cliConfig();
/** Numbers as typed become E.164, as Twilio sends them; what is not a number (a short code) stays. */
const number = (typed: string) => toE164(typed, config.phoneRegion) ?? typed;
const sid = values.sid ?? `SM${randomBytes(16).toString('hex')}`;
const fields: Record<string, string> = {
  ToCountry: 'FR',
  SmsMessageSid: sid,
  NumMedia: '0',
  SmsSid: sid,
  SmsStatus: 'received',
  Body: values.body,
  To: number(values.to ?? config.twilio.phone ?? '+33757000001'),
  NumSegments: '1',
  MessageSid: sid,
  AccountSid: config.twilio.accountSid ?? `AC${'0'.repeat(32)}`,
  From: number(values.from),
  ApiVersion: '2010-04-01',
};
if (values['opt-out-type'] !== undefined) fields['OptOutType'] = values['opt-out-type'];

const token = config.twilio.tokens[0] as string;
const signature = getExpectedTwilioSignature(token, config.publicUrl + PATH, fields);
const target = (values.target ?? listenUrl(config.host, config.port)) + PATH;

try {
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(fields),
  });
  process.stdout.write(
    `${response.status} ${String(response.headers.get('content-type'))}\n${await response.text()}\n`,
  );
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `sms: could not reach ${target}: ${String((error as Error).cause)}\n(is the service running? npm start)\n`,
  );
  process.exitCode = 2;
}
