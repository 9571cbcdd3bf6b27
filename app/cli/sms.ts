/**
 * Sends a correctly signed inbound-SMS webhook to a running service, as the provider would, and
 * prints the answer:
 *   npm run sms -- --from +33612345678 --body "Oui, rappelez-moi demain"
 */
import { toE164 } from '../../adapters/phone/phone-numbers.js';
import { listenUrl } from '../config.js';
import { cliConfig } from './env.js';
import { runIfMain, tool } from './tool.js';
import { cliArgs, refuse } from './usage.js';

const USAGE =
  'usage: npm run sms -- --from +33612345678 --body "text" [--to +33...] [--sid ID] [--opt-out-type STOP]\n' +
  '                      [--provider twilio|vonage] [--target http://127.0.0.1:8001]\n' +
  'The request is signed as the provider would (first enabled provider by default), with the\n' +
  "service's own secret (.env and the environment) for PUBLIC_URL; --target defaults to HOST:PORT.\n" +
  'Without PUBLIC_URL it is signed for --target: a service without one checks the URL it listens on.\n';

export const run = tool('sms', async (cli, args) => {
  const values = cliArgs(cli, args, USAGE, {
    from: { type: 'string', default: '+33612345678' },
    to: { type: 'string' },
    body: { type: 'string', default: '' },
    sid: { type: 'string' },
    'opt-out-type': { type: 'string' },
    provider: { type: 'string' },
    target: { type: 'string' },
  });

  // The request is signed as the provider would: the webhook's secrets and PUBLIC_URL are needed.
  const config = cliConfig(cli, { webhook: true });
  const provider =
    values.provider === undefined
      ? config.providers[0]
      : config.providers.find((configured) => configured.name === values.provider);
  if (provider === undefined) {
    const enabled = config.providers.map((configured) => configured.name).join(', ');
    refuse(cli, USAGE, `--provider must be an enabled provider (${enabled}), got '${values.provider}'`);
  }
  const listen = listenUrl(config.host, config.port);
  const base = values.target?.replace(/\/+$/, '') ?? listen; // `http://host:port/` names the same service
  // Signed for PUBLIC_URL when it is set; otherwise (it is then the listen URL) for the target,
  // where the service that checks the signature listens.
  const signedFor = config.publicUrl === listen ? base : config.publicUrl;
  /** Numbers as typed become E.164, as providers send them; what is not a number (a short code) stays. */
  const number = (typed: string) => toE164(typed, config.phoneRegion) ?? typed;
  const request = provider.simulate(
    {
      from: number(values.from),
      ...(values.to === undefined ? {} : { to: number(values.to) }),
      body: values.body,
      ...(values.sid === undefined ? {} : { id: values.sid }),
      ...(values['opt-out-type'] === undefined ? {} : { extra: { OptOutType: values['opt-out-type'] } }),
    },
    signedFor,
  );
  const target = base + request.path;

  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { ...request.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(request.fields),
    });
    cli.stdout.write(`${response.status} ${String(response.headers.get('content-type'))}\n${await response.text()}\n`);
    return response.ok ? 0 : 1;
  } catch (error) {
    cli.stderr.write(
      `sms: could not reach ${target}: ${String((error as Error).cause)}\n(is the service running? npm start)\n`,
    );
    return 2;
  }
});

await runIfMain(import.meta.url, run);
