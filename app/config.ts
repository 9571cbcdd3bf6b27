import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Token used outside production when none is configured; announced at start-up, never accepted in production. */
export const DEVELOPMENT_TOKEN = 'berinia-development-token';

export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** Public base URL the providers call; signatures are checked against it plus the request path. */
  readonly publicUrl: string;
  readonly twilio: {
    /** Accepted auth tokens: two while one is being rotated. */
    readonly tokens: readonly string[];
    readonly usingDevelopmentToken: boolean;
    readonly accountSid: string | null;
    readonly phone: string | null;
  };
  /** `postgres://…`, or null for the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly dbPoolMax: number;
  readonly logLevel: string;
  readonly bodyLimit: number;
  readonly handlerTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** Sender name in automatic replies. */
  readonly brand: string;
  /** Days a message's personal data is kept before `npm run purge` erases it; 0 keeps it forever. */
  readonly retentionDays: number;
}

/** A configuration mistake: names the variable, stops the start-up. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** A warning when `.env` (it holds the auth token) can be read by other users of the host, else null. */
export function envFileWarning(path: string): string | null {
  if (!existsSync(path)) return null;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  return `${path} is readable by ${mode & 0o004 ? 'every user' : 'its group'} (mode ${mode.toString(8)}): chmod 600 ${path}`;
}

/** Variables from a `.env` file when present; the process environment wins over the file. */
export function readEnvFile(path: string): Record<string, string | undefined> {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
}

export function loadConfig(env: Env): Readonly<Config> {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const production = value('NODE_ENV') === 'production';
  const required = (name: string): string | undefined => {
    const found = value(name);
    if (production && found === undefined) {
      throw new ConfigError(name, `${name} is required when NODE_ENV=production`);
    }
    return found;
  };

  const tokenText = required('TWILIO_TOKEN') ?? value('TWILIO_AUTH_TOKEN');
  const tokens = (tokenText ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  const host = value('HOST') ?? '127.0.0.1';
  const port = integer(value, 'PORT', 8001, 0, 65535);
  const publicUrl = url(required('PUBLIC_URL') ?? listenUrl(host, port));
  const databaseUrl = required('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL',
      'DATABASE_URL must start with postgres:// (unset it for the embedded database)',
    );
  }

  return Object.freeze({
    production,
    host,
    port,
    publicUrl,
    twilio: Object.freeze({
      tokens: Object.freeze(tokens.length > 0 ? tokens : [DEVELOPMENT_TOKEN]),
      usingDevelopmentToken: tokens.length === 0,
      accountSid: value('TWILIO_SID') ?? null,
      phone: value('TWILIO_PHONE') ?? null,
    }),
    databaseUrl,
    dataDir: value('DATA_DIR') ?? './data',
    dbPoolMax: integer(value, 'DB_POOL_MAX', 10, 1, 100),
    logLevel: level(value('LOG_LEVEL') ?? 'info'),
    bodyLimit: integer(value, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    handlerTimeoutMs: integer(value, 'HANDLER_TIMEOUT_MS', 10_000, 100, 14_000),
    headersTimeoutMs: integer(value, 'HEADERS_TIMEOUT_MS', 10_000, 100, 60_000),
    requestTimeoutMs: integer(value, 'REQUEST_TIMEOUT_MS', 12_000, 100, 60_000),
    shutdownTimeoutMs: integer(value, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
    brand: value('BRAND_NAME') ?? 'BerinIA',
    retentionDays: integer(value, 'RETENTION_DAYS', 365, 0, 36500),
  });
}

/** `http://host:port`, with brackets around an IPv6 address. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function integer(
  value: (name: string) => string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = value(name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(name, `${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return parsed;
}

function url(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', `PUBLIC_URL must be an absolute http(s) URL, got '${raw}'`);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError('PUBLIC_URL', `PUBLIC_URL must be an http(s) URL without query or fragment, got '${raw}'`);
  }
  // Kept as written (no normalization): Twilio signs the URL exactly as configured.
  return raw.replace(/\/+$/, '');
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function level(raw: string): string {
  if (!LEVELS.has(raw))
    throw new ConfigError('LOG_LEVEL', `LOG_LEVEL must be one of ${[...LEVELS].join(', ')}, got '${raw}'`);
  return raw;
}
