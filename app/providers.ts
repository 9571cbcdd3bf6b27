import type { SmsProvider } from '../core/ports/sms-provider.js';

/**
 * Every SMS provider the service knows, one line each: a module in its own folder of `adapters/`
 * (docs/adding-a-provider.md). `PROVIDERS=` enables them by name; the first is the default.
 */
export const PROVIDERS: readonly SmsProvider[] = [
  (await import('../adapters/twilio/index.js')).twilio,
  (await import('../adapters/vonage/index.js')).vonage,
];
