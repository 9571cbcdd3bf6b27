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
  /** Region whose numbering reads a number typed without its country code (`PHONE_REGION`, FR). */
  readonly phoneRegion: CountryCode;
  /** Sender name in automatic replies. */
  readonly brand: string;
  /** Days a message's personal data is kept before `npm run purge` erases it; 0 keeps it forever. */
  readonly retentionDays: number;
}

/**
 * Exit status of a process whose configuration is wrong (sysexits.h EX_CONFIG): systemd does not
 * restart the service on it (RestartPreventExitStatus=78), since the same variables would fail again.
 */
export const EX_CONFIG = 78;

/**
 * A configuration mistake: names the variable, stops the start-up. `loadConfig` reports every
 * mistake at once: then `variable` names them all (`PUBLIC_URL, DATABASE_URL`) and the message
 * holds each one's, separated by `; `.
 */
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

/** What the configuration is loaded for (`loadConfig`'s third argument). */
export interface ConfigPurpose {
  /**
   * Whether the process receives the providers' webhooks or signs requests as they do: the service
   * and `npm run sms` (the default). The operator tools that only use the database load it with
   * `webhook: false`: in production they then need `DATABASE_URL` but neither `PUBLIC_URL` nor any
   * provider's secrets or required settings. A value that is set is checked either way: the tools
   * read the service's own `.env`, and a mistake there is worth hearing of from any of them.
   */
  readonly webhook?: boolean;
}

/**
 * The configuration from `env`; `known` are the providers `PROVIDERS` may name (app/providers.ts).
 * Every mistake is collected, reading on with the default where there is one, and thrown as one
 * `ConfigError`, so that a deployment learns of all its missing or wrong variables in one start.
 */
export function loadConfig(
  env: Env,
  known: readonly SmsProvider[] = PROVIDERS,
  { webhook = true }: ConfigPurpose = {},
): Readonly<Config> {
  const vars = new Variables(env);
  const production = vars.value('NODE_ENV') === 'production';
  const required = (name: string, needed = true): string | undefined => {
    const found = vars.value(name);
    if (production && needed && found === undefined) vars.refuse(name, `${name} is required when NODE_ENV=production`);
    return found;
  };

  const providers = providerList(vars, vars.value('PROVIDERS') ?? (known[0] as SmsProvider).name, known).flatMap(
    (provider) => {
      try {
        return [provider.configure(settingsReader(provider.name, vars, production, webhook))];
      } catch (error) {
        // `invalid` stops the provider's reading: its other variables cannot be read past it.
        if (!(error instanceof ConfigError)) throw error;
        vars.problems.push(error);
        return [];
      }
    },
  );
  const host = vars.value('HOST') ?? '127.0.0.1';
  const port = vars.integer('PORT', 8001, 0, 65535);
  const publicUrl = url(vars, required('PUBLIC_URL', webhook) ?? listenUrl(host, port));
  const databaseUrl = required('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    vars.refuse('DATABASE_URL', 'DATABASE_URL must start with postgres:// (unset it for the embedded database)');
  }

  const config: Config = {
    production,
    host,
    port,
    publicUrl,
    providers: Object.freeze(providers),
    replies: Object.freeze({
      retryLimit: vars.integer('REPLY_RETRY_LIMIT', 8, 0, 100),
      retryDelaySeconds: vars.integer('REPLY_RETRY_DELAY_SECONDS', 30, 1, 3600),
    }),
    databaseUrl,
    dataDir: vars.value('DATA_DIR') ?? './data',
    dbPoolMax: vars.integer('DB_POOL_MAX', 10, 1, 100),
    logLevel: vars.oneOf('LOG_LEVEL', 'info', LEVELS),
    bodyLimit: vars.integer('BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    handlerTimeoutMs: vars.integer('HANDLER_TIMEOUT_MS', 10_000, 100, 14_000),
    headersTimeoutMs: vars.integer('HEADERS_TIMEOUT_MS', 10_000, 100, 60_000),
    requestTimeoutMs: vars.integer('REQUEST_TIMEOUT_MS', 12_000, 100, 60_000),
    shutdownTimeoutMs: vars.integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
    brand: vars.value('BRAND_NAME') ?? 'BerinIA',
    phoneRegion: region(vars, vars.value('PHONE_REGION') ?? 'FR'),
    retentionDays: vars.integer('RETENTION_DAYS', 365, 0, 36500),
  };
  const [only, ...more] = vars.problems;
  if (only !== undefined) throw more.length === 0 ? only : allOf(vars.problems);
  return Object.freeze(config);
}

/** Several mistakes as one error: every variable named, every message on one line. */
function allOf(problems: readonly ConfigError[]): ConfigError {
  return new ConfigError(
    problems.map((problem) => problem.variable).join(', '),
    problems.map((problem) => problem.message).join('; '),
  );
}

/**
 * The variables of `env`, read one by one; a wrong value is noted in `problems` and the default
 * read instead, so that the reading goes on to the next mistake.
 */
class Variables {
  readonly problems: ConfigError[] = [];
  constructor(private readonly env: Env) {}

  /** The trimmed value; undefined when unset or blank. */
  value(name: string): string | undefined {
    const raw = this.env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  }

  /** The raw value, untrimmed, for quoting it in a message. */
  raw(name: string): string | undefined {
    return this.env[name];
  }

  refuse(name: string, message: string): void {
    this.problems.push(new ConfigError(name, message));
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    this.refuse(name, `${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
    return fallback;
  }

  /** The value when it is one of `allowed`; otherwise a problem naming them. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.value(name) ?? fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.refuse(name, `${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
    return fallback;
  }
}

function region(vars: Variables, code: string): CountryCode {
  const upper = code.toUpperCase();
  if (isRegion(upper)) return upper;
  vars.refuse(
    'PHONE_REGION',
    `PHONE_REGION must be a country code such as FR, BE, CH or CA (got ${JSON.stringify(code)})`,
  );
  return 'FR';
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The providers `text` names; when it names an unknown one (or none), a problem and the known ones it names. */
function providerList(vars: Variables, text: string, known: readonly SmsProvider[]): SmsProvider[] {
  const names = [...new Set(list(text))];
  const unknown = names.filter((name) => !known.some((provider) => provider.name === name));
  if (names.length === 0 || unknown.length > 0) {
    vars.refuse(
      'PROVIDERS',
      `PROVIDERS must list one or more of ${known.map((p) => p.name).join(', ')} (comma-separated), got '${text}'`,
    );
  }
  return names.flatMap((name) => known.filter((provider) => provider.name === name));
}

/**
 * What a provider reads its variables with (core/ports/sms-provider.ts). Its required settings and
 * secrets must be set in production by a process that receives or signs `webhook`s only.
 */
function settingsReader(provider: string, vars: Variables, production: boolean, webhook: boolean): SettingsReader {
  const needed = production && webhook;
  const missing = (name: string, why = '') =>
    vars.refuse(name, `${name} is required when NODE_ENV=production and PROVIDERS includes ${provider}${why}`);
  return {
    production,
    optional: (name) => vars.value(name),
    required(name) {
      const found = vars.value(name);
      if (needed && found === undefined) missing(name);
      return found;
    },
    // A list of secrets (two during a rotation). In production one that is not blank once split
    // and trimmed is required ("," holds none): no built-in development secret is ever used.
    secrets(name, ...aliases) {
      const found = [name, ...aliases].find((variable) => vars.value(variable) !== undefined);
      const raw = found === undefined ? undefined : vars.value(found);
      const items = list(raw);
      if (needed && items.length === 0) {
        const blank = JSON.stringify(vars.raw(found as string));
        missing(name, raw === undefined ? '' : ` (${blank} holds none once split on commas and trimmed)`);
      }
      return items;
    },
    list: (name) => list(vars.value(name)),
    integer: (name, fallback, min, max) => vars.integer(name, fallback, min, max),
    oneOf: (name, fallback, allowed) => vars.oneOf(name, fallback, allowed),
    invalid(name, message) {
      throw new ConfigError(name, message);
    },
  };
}

/** `http://host:port`, with brackets around an IPv6 address. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `raw` without its trailing slashes when it is an absolute http(s) URL without query or fragment. */
function url(vars: Variables, raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    vars.refuse('PUBLIC_URL', `PUBLIC_URL must be an absolute http(s) URL, got '${raw}'`);
    return raw;
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.search !== '' || parsed.hash !== '') {
    vars.refuse('PUBLIC_URL', `PUBLIC_URL must be an http(s) URL without query or fragment, got '${raw}'`);
  }
  // Kept as written (no normalization): providers sign the URL exactly as configured.
  return raw.replace(/\/+$/, '');
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
