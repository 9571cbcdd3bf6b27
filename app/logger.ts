import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * JSON lines on stdout (journald keeps them). Secrets and personal data never reach a log line:
 * these paths are censored wherever a caller puts them by mistake; phone numbers are masked at
 * the call site.
 */
export const REDACTED_PATHS = [
  'token',
  'tokens',
  'authToken',
  'signature',
  'body',
  'Body',
  'fields',
  'raw_data',
  'content',
  'headers["x-twilio-signature"]',
  'req.headers["x-twilio-signature"]',
  'req.headers.authorization',
  '*.token',
  '*.Body',
  '*.body',
  '*.content',
  '*.raw_data',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'berinia-webhook' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
