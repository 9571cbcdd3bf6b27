import { TwilioResponseListener } from '../adapters/twilio/twilio-response-listener.js';
import { TwilioSignatureVerifier } from '../adapters/twilio/twilio-signature-verifier.js';
import type { ResponseListener } from '../core/ports/response-listener.js';
import type { SignatureVerifier } from '../core/ports/signature-verifier.js';
import type { Config } from './config.js';

/** An SMS provider as the app wires it: its webhook route and its two adapters. */
export interface ProviderModule {
  readonly name: string;
  readonly path: string;
  readonly methods: readonly ('POST' | 'GET')[];
  create(config: Config): { verifier: SignatureVerifier; listener: ResponseListener };
}

/** Every provider the service knows. Adding one is one entry here plus its folder in adapters/. */
export const PROVIDERS: readonly ProviderModule[] = [
  {
    name: 'twilio',
    path: '/webhook/sms-response',
    methods: ['POST'],
    create: (config) => ({
      verifier: new TwilioSignatureVerifier(config.twilio.tokens),
      listener: new TwilioResponseListener(),
    }),
  },
];
