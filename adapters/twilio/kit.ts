/**
 * What the contract suites need of Twilio (tests only: loaded only when a test calls `kit()`, so the service never loads the SDKs it signs with). Requests are signed
 * with the official `twilio` package, never with the code under test.
 */
import { randomBytes } from 'node:crypto';
import twilioSdk from 'twilio';
import type { ProviderKit } from '../../core/ports/sms-provider.js';
import { TwilioResponseListener } from './twilio-response-listener.js';
import { TwilioSignatureVerifier } from './twilio-signature-verifier.js';

export const KIT_TOKEN = 'test-auth-token-0123456789abcdef';

/** A MessageSid as Twilio makes them: `SM` and 32 hex digits. */
export function messageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** The fields of a real Twilio inbound SMS (captured shape, numbers changed). */
export function inboundFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const sid = overrides['MessageSid'] ?? messageSid();
  const fields: Record<string, string | undefined> = {
    ToCountry: 'FR',
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: 'Oui, rappelez-moi demain',
    FromCountry: 'FR',
    To: '+33757000001',
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'AC00000000000000000000000000000000',
    From: '+33612345678',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

export const kit: ProviderKit = {
  name: 'twilio',
  route: { path: '/webhook/sms-response', methods: ['POST'] },
  env: { TWILIO_TOKEN: KIT_TOKEN },
  idField: 'MessageSid',
  textField: 'Body',
  required: ['MessageSid', 'From', 'To', 'Body'],
  answerType: 'text/xml; charset=utf-8',
  verifier: (secrets) => new TwilioSignatureVerifier(secrets),
  listener: () => new TwilioResponseListener(),
  fields: (options = {}) => ({
    ...inboundFields({
      ...(options.text === undefined ? {} : { Body: options.text }),
      ...(options.from === undefined ? {} : { From: options.from }),
    }),
    ...options.extra,
  }),
  signed(publicUrl, fields, secret = KIT_TOKEN) {
    const url = publicUrl + this.route.path;
    return {
      url,
      method: 'POST',
      headers: { 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(secret, url, fields) },
      fields,
    };
  },
};
