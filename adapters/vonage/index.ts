import { randomBytes } from 'node:crypto';
import type { SettingsReader, SmsProvider } from '../../core/ports/sms-provider.js';
import { vonageMultipart } from './vonage-multipart.js';
import { VonageReceiptListener } from './vonage-receipt-listener.js';
import { VonageResponseListener } from './vonage-response-listener.js';
import { VONAGE_SIGNATURE_METHODS, VonageSignatureVerifier, vonageSignature } from './vonage-signature-verifier.js';
import type { VonageSignatureMethod } from './vonage-signature-verifier.js';
import { VonageSmsApi } from './vonage-sms-api.js';

/** Secret used outside production when none is configured; announced at start-up, never accepted in production. */
export const DEVELOPMENT_VONAGE_SECRET = 'berinia-development-vonage-secret';

export interface VonageSettings {
  /** Accepted signature secrets: two while one is being rotated. */
  readonly secrets: readonly string[];
  readonly usingDevelopmentSecret: boolean;
  readonly method: VonageSignatureMethod;
  /** Oldest accepted signature `timestamp`, in seconds (Vonage resends for 24 h with the first one). */
  readonly maxAgeSeconds: number;
  /** For replies sent through the SMS API; without them replies are not sent. */
  readonly apiKey: string | null;
  readonly apiSecret: string | null;
  readonly apiUrl: string;
}

function settings(env: SettingsReader): VonageSettings {
  const secrets = env.secrets('VONAGE_SIGNATURE_SECRET');
  const development = !env.production && secrets.length === 0;
  const read = {
    secrets: Object.freeze(development ? [DEVELOPMENT_VONAGE_SECRET] : secrets),
    usingDevelopmentSecret: development,
    method: env.oneOf('VONAGE_SIGNATURE_METHOD', 'md5hash', VONAGE_SIGNATURE_METHODS),
    maxAgeSeconds: env.integer('VONAGE_SIGNATURE_MAX_AGE_SECONDS', 25 * 3600, 60, 7 * 24 * 3600),
    apiKey: env.required('VONAGE_API_KEY') ?? null,
    apiSecret: env.required('VONAGE_API_SECRET') ?? null,
  };
  // Checked last: `invalid` ends the reading, and the variables above are reported with it.
  const apiUrl = env.optional('VONAGE_API_URL') ?? 'https://rest.nexmo.com';
  if (!/^https?:\/\/[^/?#\s]+\/?$/.test(apiUrl)) {
    env.invalid(
      'VONAGE_API_URL',
      `VONAGE_API_URL must be an http(s) origin such as https://rest.nexmo.com, got '${apiUrl}'`,
    );
  }
  return Object.freeze({ ...read, apiUrl: apiUrl.replace(/\/$/, '') });
}

/** Vonage's SMS API: signed GET/POST webhooks, messages in parts, replies through its API (README.md). */
export const vonage: SmsProvider = {
  name: 'vonage',
  variables: {
    VONAGE_SIGNATURE_SECRET: 'signature secret(s), `new,old` during a rotation; required in production',
    VONAGE_SIGNATURE_METHOD: "the dashboard's method: md5hash (default), md5, sha1, sha256, sha512",
    VONAGE_SIGNATURE_MAX_AGE_SECONDS: 'oldest signed `timestamp` accepted (default 90000: Vonage resends for 24 h)',
    VONAGE_API_KEY: 'for replies through the SMS API; required in production',
    VONAGE_API_SECRET: 'for replies through the SMS API; required in production',
    VONAGE_API_URL: 'the SMS API origin (default https://rest.nexmo.com)',
  },
  configure(env) {
    const vonageSettings = settings(env);
    const path = '/webhook/vonage/sms-response';
    return {
      name: 'vonage',
      route: { path, methods: ['POST', 'GET'] },
      receiptRoute: { path: '/webhook/vonage/delivery-receipt', methods: ['POST', 'GET'] },
      settings: vonageSettings,
      warnings: vonageSettings.usingDevelopmentSecret
        ? [
            'VONAGE_SIGNATURE_SECRET is not set: using the fixed development secret; set it before receiving real traffic',
          ]
        : [],
      create: ({ clock }) => ({
        verifier: new VonageSignatureVerifier({
          secrets: vonageSettings.secrets,
          method: vonageSettings.method,
          maxAgeSeconds: vonageSettings.maxAgeSeconds,
          maxSkewSeconds: 300,
          clock,
        }),
        listener: new VonageResponseListener(),
        multipart: vonageMultipart,
        receipts: new VonageReceiptListener(),
        replies: new VonageSmsApi({
          apiKey: vonageSettings.apiKey,
          apiSecret: vonageSettings.apiSecret,
          baseUrl: vonageSettings.apiUrl,
          timeoutMs: 10_000,
        }),
      }),
      simulate(message) {
        const now = new Date();
        const fields: Record<string, string> = {
          msisdn: message.from.replace(/^\+/, ''),
          to: (message.to ?? '+33757000002').replace(/^\+/, ''),
          messageId: message.id ?? randomBytes(8).toString('hex').toUpperCase(),
          text: message.body,
          type: 'unicode',
          'message-timestamp': now.toISOString().slice(0, 19).replace('T', ' '),
          timestamp: String(Math.floor(now.getTime() / 1000)),
          nonce: randomBytes(8).toString('hex'),
          ...message.extra,
        };
        const sig = vonageSignature(vonageSettings.method, vonageSettings.secrets[0] as string, fields);
        return { path, method: 'POST', headers: {}, fields: { ...fields, sig } };
      },
    };
  },
  kit: async () => (await import('./kit.js')).kit,
};
