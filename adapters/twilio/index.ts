import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import type { SettingsReader, SmsProvider } from '../../core/ports/sms-provider.js';
import { TwilioResponseListener } from './twilio-response-listener.js';
import { TwilioSignatureVerifier } from './twilio-signature-verifier.js';
import { TwilioStatusListener } from './twilio-status-listener.js';

/** Token used outside production when none is configured; announced at start-up, never accepted in production. */
export const DEVELOPMENT_TOKEN = 'berinia-development-token';

export interface TwilioSettings {
  /** Accepted auth tokens: two while one is being rotated. */
  readonly tokens: readonly string[];
  readonly usingDevelopmentToken: boolean;
  /** `TWILIO_SID`: when set, webhooks for another account are refused. */
  readonly accountSid: string | null;
  /** `TWILIO_PHONE`, one number or several: when set, messages to another number are refused. */
  readonly numbers: readonly string[];
}

function settings(env: SettingsReader): TwilioSettings {
  const tokens = env.secrets('TWILIO_TOKEN', 'TWILIO_AUTH_TOKEN');
  const development = !env.production && tokens.length === 0;
  return Object.freeze({
    tokens: Object.freeze(development ? [DEVELOPMENT_TOKEN] : tokens),
    usingDevelopmentToken: development,
    accountSid: env.optional('TWILIO_SID') ?? null,
    numbers: Object.freeze(env.list('TWILIO_PHONE')),
  });
}

/** Twilio Programmable Messaging: TwiML answers, `X-Twilio-Signature`, Advanced Opt-Out (README.md). */
export const twilio: SmsProvider = {
  name: 'twilio',
  variables: {
    TWILIO_TOKEN: 'auth token (alias TWILIO_AUTH_TOKEN); `new,old` during a rotation; required in production',
    TWILIO_SID: 'account SID: webhooks for another account get 400',
    TWILIO_PHONE: 'our number(s), comma-separated: messages to another number get 400',
  },
  configure(env) {
    const twilioSettings = settings(env);
    return {
      name: 'twilio',
      route: { path: '/webhook/sms-response', methods: ['POST'] },
      receiptRoute: { path: '/webhook/sms-status', methods: ['POST'] },
      settings: twilioSettings,
      warnings: twilioSettings.usingDevelopmentToken
        ? ['TWILIO_TOKEN is not set: using the fixed development token; set it before receiving real traffic']
        : [],
      create: () => ({
        verifier: new TwilioSignatureVerifier(twilioSettings.tokens),
        listener: new TwilioResponseListener({
          accountSid: twilioSettings.accountSid,
          numbers: twilioSettings.numbers,
        }),
        receipts: new TwilioStatusListener(),
      }),
      simulate(message, publicUrl) {
        const sid = message.id ?? `SM${randomBytes(16).toString('hex')}`;
        const fields: Record<string, string> = {
          ToCountry: 'FR',
          SmsMessageSid: sid,
          NumMedia: '0',
          SmsSid: sid,
          SmsStatus: 'received',
          Body: message.body,
          To: message.to ?? twilioSettings.numbers[0] ?? '+33757000001',
          NumSegments: '1',
          MessageSid: sid,
          AccountSid: twilioSettings.accountSid ?? `AC${'0'.repeat(32)}`,
          From: message.from,
          ApiVersion: '2010-04-01',
          ...message.extra,
        };
        const path = '/webhook/sms-response';
        const signature = getExpectedTwilioSignature(twilioSettings.tokens[0] as string, publicUrl + path, fields);
        return { path, method: 'POST', headers: { 'X-Twilio-Signature': signature }, fields };
      },
    };
  },
  kit: async () => (await import('./kit.js')).kit,
};
