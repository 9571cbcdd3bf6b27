import { existsSync, readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { isRegion } from '../adapters/phone/phone-numbers.js';
import type { CountryCode } from '../adapters/phone/phone-numbers.js';
import { VONAGE_SIGNATURE_METHODS } from '../adapters/vonage/vonage-signature-verifier.js';
import type { VonageSignatureMethod } from '../adapters/vonage/vonage-signature-verifier.js';

/** Token used outside production when none is configured; announced at start-up, never accepted in production. */
export const DEVELOPMENT_TOKEN = 'berinia-development-token';
/** The same for Vonage's signature secret. */
export const DEVELOPMENT_VONAGE_SECRET = 'berinia-development-vonage-secret';

/** Providers the service can receive from (their routes are in app/providers.ts). */
export const PROVIDER_NAMES = ['twilio', 'vonage'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface Config {
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  /** Public base URL the providers call; signatures are checked against it plus the request path. */
  readonly publicUrl: string;
  /** Enabled providers (`PROVIDERS`); a disabled provider's route answers 404. */
  readonly providers: readonly ProviderName[];
  readonly twilio: {
    /** Accepted auth tokens: two while one is being rotated. */
    readonly tokens: readonly string[];
    readonly usingDevelopmentToken: boolean;
    /** `TWILIO_SID`: when set, webhooks for another account are refused. */
    readonly accountSid: string | null;
    /** The first of `TWILIO_PHONE` (`npm run sms` texts it). */
    readonly phone: string | null;
    /** `TWILIO_PHONE`, one number or several: when set, messages to another number are refused. */
    readonly numbers: readonly string[];
  };
  readonly vonage: {
    /** Accepted signature secrets: two while one is being rotated. */
    readonly secrets: readonly string[];
    readonly usingDevelopmentSecret: boolean;
    readonly method: VonageSignatureMethod;
    /** Oldest accepted signature `timestamp`, in seconds (Vonage resends for 24 h with the first one). */
    readonly maxAgeSeconds: number;
    /** For replies sent through the SMS API; without them replies are not sent. */
    readonly apiKey: string | null;
    readonly apiSecret: string | null;
    readonly apiUrl: string;
  };
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

export function loadConfig(env: Env): Readonly<Config> {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const production = value('NODE_ENV') === 'production';
  const required = (name: string, because = ''): string | undefined => {
    const found = value(name);
    if (production && found === undefined) {
      throw new ConfigError(name, `${name} is required when NODE_ENV=production${because}`);
    }
    return found;
  };

  const providers = providerList(value('PROVIDERS') ?? 'twilio');
  const enabled = (name: ProviderName, variable: string): string | undefined =>
    providers.includes(name) ? required(variable, ` and PROVIDERS includes ${name}`) : value(variable);
  // A list of secrets (two during a rotation). In production an enabled provider needs one that is
  // not blank once split and trimmed ("," holds none): no built-in development secret is ever used.
  const secrets = (provider: ProviderName, variable: string, raw: string | undefined): string[] => {
    const items = list(raw);
    if (production && providers.includes(provider) && items.length === 0) {
      const why =
        raw === undefined
          ? ''
          : ` (${JSON.stringify(env[variable] ?? raw)} holds none once split on commas and trimmed)`;
      throw new ConfigError(
        variable,
        `${variable} is required when NODE_ENV=production and PROVIDERS includes ${provider}${why}`,
      );
    }
    return items;
  };
  const tokens = secrets('twilio', 'TWILIO_TOKEN', value('TWILIO_TOKEN') ?? value('TWILIO_AUTH_TOKEN'));
  const vonageSecrets = secrets('vonage', 'VONAGE_SIGNATURE_SECRET', value('VONAGE_SIGNATURE_SECRET'));
  const development = <T>(items: T[], builtIn: T): readonly T[] =>
    Object.freeze(items.length > 0 || production ? items : [builtIn]);
  const vonageMethod = oneOf(
    'VONAGE_SIGNATURE_METHOD',
    value('VONAGE_SIGNATURE_METHOD') ?? 'md5hash',
    VONAGE_SIGNATURE_METHODS,
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
    providers,
    twilio: Object.freeze({
      tokens: development(tokens, DEVELOPMENT_TOKEN),
      usingDevelopmentToken: !production && tokens.length === 0,
      accountSid: value('TWILIO_SID') ?? null,
      phone: list(value('TWILIO_PHONE'))[0] ?? null,
      numbers: Object.freeze(list(value('TWILIO_PHONE'))),
    }),
    vonage: Object.freeze({
      secrets: development(vonageSecrets, DEVELOPMENT_VONAGE_SECRET),
      usingDevelopmentSecret: !production && vonageSecrets.length === 0,
      method: vonageMethod,
      maxAgeSeconds: integer(value, 'VONAGE_SIGNATURE_MAX_AGE_SECONDS', 25 * 3600, 60, 7 * 24 * 3600),
      apiKey: enabled('vonage', 'VONAGE_API_KEY') ?? null,
      apiSecret: enabled('vonage', 'VONAGE_API_SECRET') ?? null,
      apiUrl: apiUrl(value('VONAGE_API_URL') ?? 'https://rest.nexmo.com'),
    }),
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

function providerList(text: string): ProviderName[] {
  const names = list(text);
  const unknown = names.filter((name) => !(PROVIDER_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      'PROVIDERS',
      `PROVIDERS must list one or more of ${PROVIDER_NAMES.join(', ')} (comma-separated), got '${text}'`,
    );
  }
  return [...new Set(names)] as ProviderName[];
}

function apiUrl(raw: string): string {
  if (!/^https?:\/\/[^/?#\s]+\/?$/.test(raw)) {
    throw new ConfigError(
      'VONAGE_API_URL',
      `VONAGE_API_URL must be an http(s) origin such as https://rest.nexmo.com, got '${raw}'`,
    );
  }
  return raw.replace(/\/$/, '');
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

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `raw` when it is one of `allowed`; otherwise a ConfigError naming them. */
function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}
