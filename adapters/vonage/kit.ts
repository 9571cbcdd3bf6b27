/**
 * What the contract suites need of Vonage (tests only: loaded only when a test calls `kit()`, so the service never loads the SDKs it signs with). Signatures come
 * from Vonage's official SDK (v2 kept its generator public; v3 only verifies), never from the code
 * under test.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type { ProviderKit } from '../../core/ports/sms-provider.js';
import { VonageResponseListener } from './vonage-response-listener.js';
import { VonageSignatureVerifier } from './vonage-signature-verifier.js';
import type { VonageSignatureMethod } from './vonage-signature-verifier.js';

const require = createRequire(import.meta.url);
const VonageHashGenerator = require('vonage-server-sdk-v2/lib/HashGenerator.js') as new () => {
  generate(method: string, secret: string, params: Record<string, string>): string;
};

export const KIT_SECRET = 'test-vonage-signature-secret';

/** A Vonage `sig` computed by Vonage's SDK. */
export function vonageSig(method: VonageSignatureMethod, secret: string, fields: Record<string, string>): string {
  return new VonageHashGenerator().generate(method, secret, fields);
}

/** The fields of a Vonage inbound SMS as Vonage signs them (without `sig`). */
export function vonageFields(
  overrides: Record<string, string | undefined> = {},
  at = new Date(),
): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    msisdn: '33612345678',
    to: '33757000002',
    messageId: `0A0000${randomBytes(5).toString('hex').toUpperCase()}`,
    text: 'Oui, rappelez-moi demain',
    type: 'text',
    keyword: 'OUI,',
    'message-timestamp': at.toISOString().slice(0, 19).replace('T', ' '),
    timestamp: String(Math.floor(at.getTime() / 1000)),
    nonce: randomBytes(8).toString('hex'),
    'api-key': 'abcd1234',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

export const kit: ProviderKit = {
  name: 'vonage',
  route: { path: '/webhook/vonage/sms-response', methods: ['POST', 'GET'] },
  env: { VONAGE_SIGNATURE_SECRET: KIT_SECRET, VONAGE_SIGNATURE_METHOD: 'sha256' },
  idField: 'messageId',
  textField: 'text',
  required: ['messageId', 'msisdn', 'to', 'type'],
  answerType: null,
  verifier: (secrets) =>
    new VonageSignatureVerifier({
      secrets,
      method: 'sha256',
      maxAgeSeconds: 3600,
      maxSkewSeconds: 300,
      clock: () => new Date(),
    }),
  listener: () => new VonageResponseListener(),
  fields: (options = {}) => ({
    ...vonageFields({
      ...(options.text === undefined ? {} : { text: options.text }),
      ...(options.from === undefined ? {} : { msisdn: options.from.replace(/^\+/, '') }),
    }),
    ...options.extra,
  }),
  signed(publicUrl, fields, secret = KIT_SECRET) {
    return {
      url: publicUrl + this.route.path,
      method: 'POST',
      headers: {},
      fields: { ...fields, sig: vonageSig('sha256', secret, fields) },
    };
  },
};
