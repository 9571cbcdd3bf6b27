import type { MultipartFormat } from '../adapters/multipart/assembling-receiver.js';
import type { ReplySender } from '../adapters/outbox/outbox.js';
import { TwilioResponseListener } from '../adapters/twilio/twilio-response-listener.js';
import { TwilioSignatureVerifier } from '../adapters/twilio/twilio-signature-verifier.js';
import { vonageMultipart } from '../adapters/vonage/vonage-multipart.js';
import { VonageResponseListener } from '../adapters/vonage/vonage-response-listener.js';
import { VonageSignatureVerifier } from '../adapters/vonage/vonage-signature-verifier.js';
import { VonageSmsApi } from '../adapters/vonage/vonage-sms-api.js';
import type { ResponseListener } from '../core/ports/response-listener.js';
import type { SignatureVerifier } from '../core/ports/signature-verifier.js';
import type { Config, ProviderName } from './config.js';

/** What one provider brings: its two port adapters, and what it needs beyond them. */
export interface ProviderAdapters {
  readonly verifier: SignatureVerifier;
  readonly listener: ResponseListener;
  /** For providers that deliver a long message in parts: stored, then read once whole. */
  readonly multipart?: MultipartFormat;
  /** For providers that take no reply in the webhook answer: replies go through the outbox to this. */
  readonly replies?: ReplySender;
}

/** An SMS provider as the app wires it: its webhook route and its adapters. */
export interface ProviderModule {
  readonly name: ProviderName;
  readonly path: string;
  readonly methods: readonly ('POST' | 'GET')[];
  create(config: Config, clock: () => Date): ProviderAdapters;
}

/** Every provider the service knows. Adding one is an entry here plus its folder in adapters/. */
export const PROVIDERS: readonly ProviderModule[] = [
  {
    name: 'twilio',
    path: '/webhook/sms-response',
    methods: ['POST'],
    create: (config) => ({
      verifier: new TwilioSignatureVerifier(config.twilio.tokens),
      listener: new TwilioResponseListener({ accountSid: config.twilio.accountSid, numbers: config.twilio.numbers }),
    }),
  },
  {
    name: 'vonage',
    path: '/webhook/vonage/sms-response',
    methods: ['POST', 'GET'],
    create: (config, clock) => ({
      verifier: new VonageSignatureVerifier({
        secrets: config.vonage.secrets,
        method: config.vonage.method,
        maxAgeSeconds: config.vonage.maxAgeSeconds,
        maxSkewSeconds: 300,
        clock,
      }),
      listener: new VonageResponseListener(),
      multipart: vonageMultipart,
      replies: new VonageSmsApi({
        apiKey: config.vonage.apiKey,
        apiSecret: config.vonage.apiSecret,
        baseUrl: config.vonage.apiUrl,
        timeoutMs: 10_000,
      }),
    }),
  },
];

/** The providers `PROVIDERS` enables, in the order above. */
export function enabledProviders(config: Config): ProviderModule[] {
  return PROVIDERS.filter((provider) => config.providers.includes(provider.name));
}
