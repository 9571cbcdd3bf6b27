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

/**
 * Lines are buffered up to this many bytes, or this long, before one asynchronous write: each
 * write is handed to a libuv thread, and that hand-off cost more than the rest of a webhook's
 * logging (profiled by bench/profile.ts); under a burst one write now carries some sixty lines.
 * Whatever is buffered is written when the process exits (pino flushes on `exit`, crash included);
 * only a SIGKILL can lose it: at most the last 250 ms, or 16 KiB, of lines.
 */
export const LOG_BUFFER_BYTES = 16 * 1024;
export const LOG_FLUSH_MS = 250;

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'berinia-webhook' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ??
      pino.destination({
        dest: 1,
        sync: false,
        minLength: LOG_BUFFER_BYTES,
        maxWrite: 4 * LOG_BUFFER_BYTES,
        periodicFlush: LOG_FLUSH_MS,
      }),
  );
}
