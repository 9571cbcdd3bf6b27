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

/**
 * Fields of a database error that quote the rows it refused (pg's `detail` "Failing row contains
 * (…)", `where` "JSON data, line 1: …"), the statement or its parameters: never logged, here or in
 * any error it is the cause of. The code and the message (which names the problem, not the data) stay.
 */
const ROW_DATA = ['detail', 'where', 'parameters', 'internalQuery', 'query', 'hint'];

function withoutRowData(serialized: Record<string, unknown>, depth = 0): Record<string, unknown> {
  for (const key of ROW_DATA) delete serialized[key];
  const cause = serialized['cause'];
  if (depth < 5 && cause !== null && typeof cause === 'object')
    withoutRowData(cause as Record<string, unknown>, depth + 1);
  return serialized;
}

/** pino's error serializer, without row data (see `ROW_DATA`). */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.errWithCause(error as Error) as unknown;
  return serialized !== null && typeof serialized === 'object'
    ? withoutRowData(serialized as Record<string, unknown>)
    : serialized;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'berinia-webhook' },
      serializers: { err: serializeError },
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
