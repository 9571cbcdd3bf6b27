import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { isRegion } from '../adapters/phone/phone-numbers.js';
import type { CountryCode } from '../adapters/phone/phone-numbers.js';
import type { ConfiguredProvider, SettingsReader, SmsProvider } from '../core/ports/sms-provider.js';
import { PROVIDERS } from './providers.js';

export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** Public base URL the providers call; signatures are checked against it plus the request path. */
  readonly publicUrl: string;
  /** The enabled providers (`PROVIDERS`, default the first known), configured; a disabled one's route answers 404. */
  readonly providers: readonly ConfiguredProvider[];
  /** Replies sent through a provider's API (outbox): retries after the first attempt, first delay. */
  readonly replies: { readonly retryLimit: number; readonly retryDelaySeconds: number };
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
  /** Region whose numbering reads a number typed without its country code (`PHONE_REGION`, FR). */
  readonly phoneRegion: CountryCode;
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

/** The configuration from `env`; `known` are the providers `PROVIDERS` may name (app/providers.ts). */
export function loadConfig(env: Env, known: readonly SmsProvider[] = PROVIDERS): Readonly<Config> {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const production = value('NODE_ENV') === 'production';
  const required = (name: string): string | undefined => {
    const found = value(name);
    if (production && found === undefined) throw new ConfigError(name, `${name} is required when NODE_ENV=production`);
    return found;
  };

  const providers = providerList(value('PROVIDERS') ?? (known[0] as SmsProvider).name, known).map((provider) =>
    provider.configure(settingsReader(provider.name, value, production, env)),
  );
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
    providers: Object.freeze(providers),
    replies: Object.freeze({
      retryLimit: integer(value, 'REPLY_RETRY_LIMIT', 8, 0, 100),
      retryDelaySeconds: integer(value, 'REPLY_RETRY_DELAY_SECONDS', 30, 1, 3600),
    }),
    databaseUrl,
    dataDir: value('DATA_DIR') ?? './data',
    dbPoolMax: integer(value, 'DB_POOL_MAX', 10, 1, 100),
    logLevel: oneOf('LOG_LEVEL', value('LOG_LEVEL') ?? 'info', LEVELS),
    bodyLimit: integer(value, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    handlerTimeoutMs: integer(value, 'HANDLER_TIMEOUT_MS', 10_000, 100, 14_000),
    headersTimeoutMs: integer(value, 'HEADERS_TIMEOUT_MS', 10_000, 100, 60_000),
    requestTimeoutMs: integer(value, 'REQUEST_TIMEOUT_MS', 12_000, 100, 60_000),
    shutdownTimeoutMs: integer(value, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
    brand: value('BRAND_NAME') ?? 'BerinIA',
    phoneRegion: region(value('PHONE_REGION') ?? 'FR'),
    retentionDays: integer(value, 'RETENTION_DAYS', 365, 0, 36500),
  });
}

function region(code: string): CountryCode {
  const upper = code.toUpperCase();
  if (!isRegion(upper))
    throw new ConfigError(
      'PHONE_REGION',
      `PHONE_REGION must be a country code such as FR, BE, CH or CA (got ${JSON.stringify(code)})`,
    );
  return upper;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function providerList(text: string, known: readonly SmsProvider[]): SmsProvider[] {
  const names = [...new Set(list(text))];
  const unknown = names.filter((name) => !known.some((provider) => provider.name === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      'PROVIDERS',
      `PROVIDERS must list one or more of ${known.map((p) => p.name).join(', ')} (comma-separated), got '${text}'`,
    );
  }
  return names.map((name) => known.find((provider) => provider.name === name) as SmsProvider);
}

/** What a provider reads its variables with (core/ports/sms-provider.ts). */
function settingsReader(
  provider: string,
  value: (name: string) => string | undefined,
  production: boolean,
  env: Env,
): SettingsReader {
  const missing = (name: string, why = '') =>
    new ConfigError(name, `${name} is required when NODE_ENV=production and PROVIDERS includes ${provider}${why}`);
  return {
    production,
    optional: value,
    required(name) {
      const found = value(name);
      if (production && found === undefined) throw missing(name);
      return found;
    },
    // A list of secrets (two during a rotation). In production one that is not blank once split
    // and trimmed is required ("," holds none): no built-in development secret is ever used.
    secrets(name, ...aliases) {
      const found = [name, ...aliases].find((variable) => value(variable) !== undefined);
      const raw = found === undefined ? undefined : value(found);
      const items = list(raw);
      if (production && items.length === 0) {
        const blank = JSON.stringify(env[found as string]);
        throw missing(name, raw === undefined ? '' : ` (${blank} holds none once split on commas and trimmed)`);
      }
      return items;
    },
    list: (name) => list(value(name)),
    integer: (name, fallback, min, max) => integer(value, name, fallback, min, max),
    oneOf: (name, fallback, allowed) => oneOf(name, value(name) ?? fallback, allowed),
    invalid(name, message) {
      throw new ConfigError(name, message);
    },
  };
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
  // Kept as written (no normalization): providers sign the URL exactly as configured.
  return raw.replace(/\/+$/, '');
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `raw` when it is one of `allowed`; otherwise a ConfigError naming them. */
function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}
