import pino from 'pino';
import sonicBoom from 'sonic-boom';
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
];

/**
 * Keys censored one level down, in any field (`{ request: { Body } }`, an error's `body`). pino's
 * wildcard paths (`*.Body`) did this, at the price of a redaction pass over every field of every
 * line, plain strings included: 3.7 µs a webhook line of about 10 (bench/RESULTS.md). `censorNested`
 * looks only inside the fields that are objects.
 */
export const NESTED_REDACTED_KEYS: ReadonlySet<string> = new Set(['token', 'Body', 'body', 'content', 'raw_data']);
const CENSOR = '[redacted]';

function hasNestedSecret(value: object): boolean {
  for (const key of NESTED_REDACTED_KEYS) if (Object.hasOwn(value, key)) return true;
  return false;
}

/** Censors, in `target` itself, the secret keys it has. */
function censorKeys(target: Record<string, unknown>): void {
  for (const key of NESTED_REDACTED_KEYS) if (Object.hasOwn(target, key)) target[key] = CENSOR;
}

/** A copy of `value` with its nested secret keys censored, or `value` itself when it has none. */
function censored(value: object): object {
  if (!hasNestedSecret(value)) return value;
  const copy: Record<string, unknown> = { ...value };
  censorKeys(copy);
  return copy;
}

/**
 * pino's `formatters.log`: the fields that are objects, censored one level down. `err` is left to
 * its serializer (`serializeError`, which censors the same keys); an error under another key is
 * written as its enumerable fields, so it is censored here like any object.
 */
export function censorNested(fields: Record<string, unknown>): Record<string, unknown> {
  let result = fields;
  for (const key in fields) {
    const value = fields[key];
    if (value === null || typeof value !== 'object' || (key === 'err' && value instanceof Error)) continue;
    const safe = censored(value);
    if (safe !== value) {
      if (result === fields) result = { ...fields };
      result[key] = safe;
    }
  }
  return result;
}

/**
 * Lines are buffered up to this many bytes, or this long, before one asynchronous write: each
 * write is handed to a libuv thread, and that hand-off cost more than the rest of a webhook's
 * logging (profiled by bench/profile.ts); under a burst one write carries some fifty lines.
 * Whatever is buffered is written when the process exits (crash included); only a SIGKILL can
 * lose it: at most the last 250 ms, or 16 KiB, of lines.
 */
export const LOG_BUFFER_BYTES = 16 * 1024;
export const LOG_FLUSH_MS = 250;

/** Where `LineBuffer` hands its chunks: sonic-boom in buffer mode (stdout), or a test's double. */
export interface ChunkSink {
  write(chunk: Buffer): unknown;
  flushSync(): void;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * pino's destination: each line is encoded at once into a fixed buffer, and a full buffer goes to
 * the sink as one write (so does what is there every `LOG_FLUSH_MS`, and at exit). sonic-boom's own
 * buffering keeps the lines as strings joined end to end and encodes them again at each write:
 * about 4 µs a line more, 4 % of a webhook's CPU (bench/RESULTS.md).
 *
 * A sink that fails (stdout closed: EPIPE) stops the logging, once said on stderr, and never the
 * service: no error reaches the process.
 */
export class LineBuffer {
  private chunk = Buffer.allocUnsafe(LOG_BUFFER_BYTES);
  private used = 0;
  private broken = false;

  constructor(
    private readonly sink: ChunkSink,
    private readonly stderr: (text: string) => void = (text) => process.stderr.write(text),
  ) {
    sink.on('error', (error) => {
      if (!this.broken) this.stderr(`berinia-webhook: logging stopped: ${error.code ?? error.message}\n`);
      this.broken = true;
    });
  }

  write(line: string): boolean {
    if (this.broken) return true;
    // UTF-8 takes at most 3 bytes for a UTF-16 unit: room is checked before encoding.
    if (this.used + line.length * 3 > this.chunk.length) {
      this.handOver();
      if (line.length * 3 > this.chunk.length) {
        this.sink.write(Buffer.from(line));
        return true;
      }
    }
    this.used += this.chunk.write(line, this.used);
    return true;
  }

  /** Hands what is buffered to the sink (`logger.flush()`; the timer). */
  flush(done?: () => void): void {
    this.handOver();
    done?.();
  }

  /** At exit: what is buffered here and in the sink, written before the process ends. */
  flushSync(): void {
    this.handOver();
    if (!this.broken) this.sink.flushSync();
  }

  private handOver(): void {
    if (this.used === 0 || this.broken) return;
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(LOG_BUFFER_BYTES);
    this.used = 0;
    this.sink.write(full);
  }
}

/** The production destination: stdout through a `LineBuffer`, flushed on a timer and at exit. */
export function stdoutLines(): LineBuffer {
  // The package is CommonJS whose module.exports is the class (its types declare it as a named
  // export); in buffer mode it writes Buffers (its types name strings only).
  const SonicBoom = sonicBoom as unknown as typeof sonicBoom.SonicBoom;
  const sink = new SonicBoom({ fd: 1, sync: false, contentMode: 'buffer' }) as unknown as ChunkSink;
  const lines = new LineBuffer(sink);
  setInterval(() => lines.flush(), LOG_FLUSH_MS).unref();
  process.on('exit', () => lines.flushSync());
  return lines;
}

/**
 * Fields of a database error that quote the rows it refused (pg's `detail` "Failing row contains
 * (…)", `where` "JSON data, line 1: …"), the statement or its parameters: never logged, here or in
 * any error it is the cause of. The code and the message (which names the problem, not the data) stay.
 */
const ROW_DATA = ['detail', 'where', 'parameters', 'internalQuery', 'query', 'hint'];

function withoutRowData(serialized: Record<string, unknown>, depth = 0): Record<string, unknown> {
  for (const key of ROW_DATA) delete serialized[key];
  censorKeys(serialized);
  const cause = serialized['cause'];
  if (depth < 5 && cause !== null && typeof cause === 'object')
    withoutRowData(cause as Record<string, unknown>, depth + 1);
  return serialized;
}

/** pino's error serializer, without row data (see `ROW_DATA`) nor secret keys (`NESTED_REDACTED_KEYS`). */
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
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      formatters: { log: censorNested },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? stdoutLines(),
  );
}
