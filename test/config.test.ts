import t from 'tap';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVELOPMENT_TOKEN } from '../adapters/twilio/index.js';
import type { TwilioSettings } from '../adapters/twilio/index.js';
import { DEVELOPMENT_VONAGE_SECRET } from '../adapters/vonage/index.js';
import type { VonageSettings } from '../adapters/vonage/index.js';
import { ConfigError, envFileWarning, loadConfig, readEnvFile } from '../app/config.js';
import type { Config } from '../app/config.js';
import { PROVIDERS } from '../app/providers.js';
import type { SmsProvider } from '../core/ports/sms-provider.js';

/** The registered providers, as the PROVIDERS error lists them. */
const KNOWN = PROVIDERS.map((provider) => provider.name).join(', ');

/** An enabled provider's settings, as its module read them. */
function settingsOf<T>(config: Config, name: string): T {
  const provider = config.providers.find((configured) => configured.name === name);
  if (provider === undefined) throw new Error(`${name} is not enabled`);
  return provider.settings as T;
}
const twilioOf = (config: Config) => settingsOf<TwilioSettings>(config, 'twilio');
const vonageOf = (config: Config) => settingsOf<VonageSettings>(config, 'vonage');
const names = (config: Config) => config.providers.map((provider) => provider.name);

t.test('defaults need no configuration', async (t) => {
  const config = loadConfig({});
  t.equal(config.host, '127.0.0.1');
  t.equal(config.port, 8001);
  t.equal(config.publicUrl, 'http://127.0.0.1:8001');
  t.same(twilioOf(config).tokens, [DEVELOPMENT_TOKEN]);
  t.equal(twilioOf(config).usingDevelopmentToken, true);
  t.equal(config.databaseUrl, null, 'embedded database');
  t.equal(config.dataDir, './data');
  t.equal(config.bodyLimit, 65536);
  t.equal(config.logLevel, 'info');
  t.equal(config.production, false);
  t.ok(Object.isFrozen(config) && Object.isFrozen(twilioOf(config)), 'frozen');
  t.equal(loadConfig({ HOST: '::1', PORT: '9000' }).publicUrl, 'http://[::1]:9000');
});

t.test('reads the variables of the original deployment', async (t) => {
  const config = loadConfig({
    HOST: '0.0.0.0',
    PORT: '8002',
    PUBLIC_URL: 'https://app.berinia.com/',
    TWILIO_TOKEN: ' new-token , old-token ',
    TWILIO_SID: 'AC123',
    TWILIO_PHONE: '+33757000001',
    DATABASE_URL: 'postgres://berinia@127.0.0.1:5432/berinia',
    DATA_DIR: '/var/lib/berinia',
    LOG_LEVEL: 'warn',
    BODY_LIMIT_BYTES: '2048',
    BRAND_NAME: 'Acme',
  });
  t.equal(config.publicUrl, 'https://app.berinia.com', 'trailing slash dropped');
  t.same(twilioOf(config).tokens, ['new-token', 'old-token'], 'two tokens during a rotation');
  t.equal(twilioOf(config).usingDevelopmentToken, false);
  t.equal(twilioOf(config).accountSid, 'AC123');
  t.same(twilioOf(config).numbers, ['+33757000001']);
  t.equal(config.databaseUrl, 'postgres://berinia@127.0.0.1:5432/berinia');
  t.equal(config.port, 8002);
  t.equal(config.bodyLimit, 2048);
  t.equal(config.brand, 'Acme');
  t.same(twilioOf(loadConfig({ TWILIO_AUTH_TOKEN: 'alias' })).tokens, ['alias'], 'TWILIO_AUTH_TOKEN is an alias');
  t.same(
    twilioOf(loadConfig({ TWILIO_TOKEN: 'main', TWILIO_AUTH_TOKEN: 'alias' })).tokens,
    ['main'],
    'TWILIO_TOKEN wins',
  );
});

t.test('production refuses to start without its secrets, naming the variable', async (t) => {
  const complete = {
    NODE_ENV: 'production',
    TWILIO_TOKEN: 'tok',
    PUBLIC_URL: 'https://app.berinia.com',
    DATABASE_URL: 'postgres://x@127.0.0.1/db',
  };
  t.equal(loadConfig(complete).production, true);
  for (const name of ['TWILIO_TOKEN', 'PUBLIC_URL', 'DATABASE_URL']) {
    const because = name === 'TWILIO_TOKEN' ? ' and PROVIDERS includes twilio' : '';
    t.throws(
      () => loadConfig({ ...complete, [name]: '' }),
      new ConfigError(name, `${name} is required when NODE_ENV=production${because}`),
    );
  }
  t.same(
    twilioOf(loadConfig({ ...complete, TWILIO_TOKEN: undefined, TWILIO_AUTH_TOKEN: 'alias' })).tokens,
    ['alias'],
    'the alias satisfies production, as documented',
  );
  for (const blank of [',', ' ,, ', ' , ']) {
    t.throws(
      () => loadConfig({ ...complete, TWILIO_TOKEN: blank }),
      new ConfigError(
        'TWILIO_TOKEN',
        `TWILIO_TOKEN is required when NODE_ENV=production and PROVIDERS includes twilio (${JSON.stringify(blank)} holds none once split on commas and trimmed)`,
      ),
      `TWILIO_TOKEN=${JSON.stringify(blank)} is no token: never the development one`,
    );
  }
  t.equal(failing({ ...complete, TWILIO_TOKEN: undefined, TWILIO_AUTH_TOKEN: ',' }), 'TWILIO_TOKEN');
  const onlyVonage = loadConfig({
    ...complete,
    PROVIDERS: 'vonage',
    VONAGE_SIGNATURE_SECRET: 's',
    VONAGE_API_KEY: 'k',
    VONAGE_API_SECRET: 'x',
    TWILIO_TOKEN: undefined,
  });
  t.same(names(onlyVonage), ['vonage'], 'a disabled provider is not configured: no built-in secret either');
});

/** The variable a configuration error names, or undefined when none is thrown. */
function failing(env: Record<string, string | undefined>): string | undefined {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).variable;
  }
  return undefined;
}

t.test('bad values fail fast with a clear message', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc' }), {
    code: 'ERR_CONFIG',
    variable: 'PORT',
    message: "PORT must be a whole number from 0 to 65535, got 'abc'",
  });
  t.equal(failing({ PORT: '70000' }), 'PORT');
  t.equal(failing({ PUBLIC_URL: 'app.berinia.com' }), 'PUBLIC_URL');
  t.equal(failing({ PUBLIC_URL: 'ftp://app.berinia.com' }), 'PUBLIC_URL');
  t.equal(failing({ PUBLIC_URL: 'https://app.berinia.com/?a=1' }), 'PUBLIC_URL');
  t.equal(failing({ DATABASE_URL: 'mysql://x' }), 'DATABASE_URL');
  t.equal(failing({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL');
  t.equal(new ConfigError('X', 'm').name, 'ConfigError');
});

t.test('.env is read when present', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berinia-env-'));
  const file = join(dir, '.env');
  writeFileSync(file, '# comment\nPORT=8100\nTWILIO_TOKEN="quoted token"\n');
  chmodSync(file, 0o600);
  t.same(readEnvFile(file), { PORT: '8100', TWILIO_TOKEN: 'quoted token' });
  t.same(readEnvFile(join(dir, 'missing.env')), {});
});

t.test('.env permissions are checked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berinia-env-'));
  const file = join(dir, '.env');
  t.equal(envFileWarning(file), null, 'no file, nothing to say');
  writeFileSync(file, 'TWILIO_TOKEN=x\n');
  chmodSync(file, 0o600);
  t.equal(envFileWarning(file), null);
  chmodSync(file, 0o640);
  t.equal(envFileWarning(file), `${file} is readable by its group (mode 640): chmod 600 ${file}`);
  chmodSync(file, 0o644);
  t.match(envFileWarning(file), /readable by every user \(mode 644\)/);
});

t.test('providers: enabled by PROVIDERS, each with its secret in production', async (t) => {
  const defaults = loadConfig({});
  t.same(names(defaults), ['twilio'], 'Twilio alone by default');
  t.same(vonageOf(loadConfig({ PROVIDERS: 'vonage' })), {
    secrets: [DEVELOPMENT_VONAGE_SECRET],
    usingDevelopmentSecret: true,
    method: 'md5hash',
    maxAgeSeconds: 90000,
    apiKey: null,
    apiSecret: null,
    apiUrl: 'https://rest.nexmo.com',
  });
  t.same(defaults.replies, { retryLimit: 8, retryDelaySeconds: 30 });
  const vonage = loadConfig({
    PROVIDERS: ' vonage , twilio,vonage ',
    VONAGE_SIGNATURE_SECRET: 'new, old',
    VONAGE_SIGNATURE_METHOD: 'sha512',
    VONAGE_API_URL: 'http://127.0.0.1:9999/',
  });
  t.same(names(vonage), ['vonage', 'twilio']);
  t.same(vonageOf(vonage).secrets, ['new', 'old']);
  t.equal(vonageOf(vonage).method, 'sha512');
  t.equal(vonageOf(vonage).apiUrl, 'http://127.0.0.1:9999');

  t.equal(failing({ PROVIDERS: 'twilio,no-such-provider' }), 'PROVIDERS');
  t.throws(() => loadConfig({ PROVIDERS: ' , ' }), {
    message: `PROVIDERS must list one or more of ${KNOWN} (comma-separated), got ','`,
  });
  t.equal(failing({ PROVIDERS: 'vonage', VONAGE_SIGNATURE_METHOD: 'sha384' }), 'VONAGE_SIGNATURE_METHOD');
  t.equal(failing({ PROVIDERS: 'vonage', VONAGE_API_URL: 'rest.nexmo.com' }), 'VONAGE_API_URL');
  t.equal(failing({ PROVIDERS: 'vonage', VONAGE_API_URL: 'https://rest.nexmo.com/sms/json' }), 'VONAGE_API_URL');
  t.equal(failing({ PROVIDERS: 'vonage', VONAGE_SIGNATURE_MAX_AGE_SECONDS: '10' }), 'VONAGE_SIGNATURE_MAX_AGE_SECONDS');

  const production = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://app.berinia.com',
    DATABASE_URL: 'postgres://x@127.0.0.1/db',
    PROVIDERS: 'vonage',
    VONAGE_SIGNATURE_SECRET: 'sig',
    VONAGE_API_KEY: 'key',
    VONAGE_API_SECRET: 'secret',
  };
  t.equal(vonageOf(loadConfig(production)).usingDevelopmentSecret, false, 'no Twilio token needed when disabled');
  for (const name of ['VONAGE_SIGNATURE_SECRET', 'VONAGE_API_KEY', 'VONAGE_API_SECRET']) {
    t.throws(
      () => loadConfig({ ...production, [name]: '' }),
      new ConfigError(name, `${name} is required when NODE_ENV=production and PROVIDERS includes vonage`),
    );
  }
  t.equal(failing({ ...production, PROVIDERS: 'twilio,vonage' }), 'TWILIO_TOKEN');
  t.equal(
    failing({ ...production, VONAGE_SIGNATURE_SECRET: ' , ' }),
    'VONAGE_SIGNATURE_SECRET',
    'a blank list is no secret',
  );
  t.equal(failing({ ...production, PROVIDERS: 'twilio', TWILIO_TOKEN: 't', VONAGE_SIGNATURE_SECRET: '' }), undefined);
});

t.test('PHONE_REGION: the numbering of numbers typed without a country code', async (t) => {
  t.equal(loadConfig({}).phoneRegion, 'FR');
  t.equal(loadConfig({ PHONE_REGION: 'be' }).phoneRegion, 'BE');
  t.equal(failing({ PHONE_REGION: 'France' }), 'PHONE_REGION');
});

t.test('every mistake is reported at once, in one error naming every variable', async (t) => {
  t.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    new ConfigError(
      'TWILIO_TOKEN, PUBLIC_URL, DATABASE_URL',
      'TWILIO_TOKEN is required when NODE_ENV=production and PROVIDERS includes twilio; ' +
        'PUBLIC_URL is required when NODE_ENV=production; DATABASE_URL is required when NODE_ENV=production',
    ),
  );
  // Wrong values too, each read past with its default; an unknown provider leaves the known ones read.
  t.throws(
    () =>
      loadConfig({
        NODE_ENV: 'production',
        PROVIDERS: 'twilio,no-such-provider',
        PORT: 'abc',
        PUBLIC_URL: 'ftp://app.berinia.com',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'verbose',
        PHONE_REGION: 'France',
        RETENTION_DAYS: '-1',
      }),
    {
      code: 'ERR_CONFIG',
      variable: 'PROVIDERS, TWILIO_TOKEN, PORT, PUBLIC_URL, DATABASE_URL, LOG_LEVEL, PHONE_REGION, RETENTION_DAYS',
      message: new RegExp(
        [
          `^PROVIDERS must list one or more of ${KNOWN} \\(comma-separated\\), got 'twilio,no-such-provider'`,
          'TWILIO_TOKEN is required when NODE_ENV=production and PROVIDERS includes twilio',
          "PORT must be a whole number from 0 to 65535, got 'abc'",
          "PUBLIC_URL must be an http\\(s\\) URL without query or fragment, got 'ftp://app.berinia.com'",
          'DATABASE_URL must start with postgres:// \\(unset it for the embedded database\\)',
          "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'",
          'PHONE_REGION must be a country code such as FR, BE, CH or CA \\(got "France"\\)',
          "RETENTION_DAYS must be a whole number from 0 to 36500, got '-1'$",
        ].join('; '),
      ),
    },
  );
  // A provider's own check ends its reading; what it read before is reported with it.
  t.throws(
    () =>
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://app.berinia.com',
        DATABASE_URL: 'postgres://x@127.0.0.1/db',
        PROVIDERS: 'vonage',
        VONAGE_SIGNATURE_SECRET: 's',
        VONAGE_SIGNATURE_METHOD: 'sha384',
        VONAGE_API_URL: 'rest.nexmo.com',
        HEADERS_TIMEOUT_MS: '5',
      }),
    {
      variable: 'VONAGE_SIGNATURE_METHOD, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_API_URL, HEADERS_TIMEOUT_MS',
      message:
        /^VONAGE_SIGNATURE_METHOD must be one of .*; VONAGE_API_URL must be an http\(s\) origin .*; HEADERS_TIMEOUT_MS must/,
    },
  );
  const broken: SmsProvider = {
    name: 'broken',
    variables: {},
    configure: () => {
      throw new TypeError('a bug in the module');
    },
    kit: () => Promise.reject(new Error('no kit')),
  };
  t.throws(() => loadConfig({ PORT: 'abc' }, [broken]), new TypeError('a bug in the module'), 'a bug is no mistake');
});

t.test('the operator tools: production needs DATABASE_URL only', async (t) => {
  const tool = { webhook: false };
  const database = { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1/db' };
  const config = loadConfig(database, undefined, tool);
  t.equal(config.production, true);
  t.equal(config.databaseUrl, 'postgres://x@127.0.0.1/db');
  t.same(twilioOf(config).tokens, [], 'no secret, and never the development one');
  t.equal(twilioOf(config).usingDevelopmentToken, false);
  const vonage = loadConfig({ ...database, PROVIDERS: 'twilio,vonage', TWILIO_TOKEN: ',' }, undefined, tool);
  t.same(vonageOf(vonage).secrets, []);
  t.equal(vonageOf(vonage).apiKey, null, "neither the providers' required settings");
  t.throws(
    () => loadConfig({ NODE_ENV: 'production' }, undefined, tool),
    new ConfigError('DATABASE_URL', 'DATABASE_URL is required when NODE_ENV=production'),
  );
  t.throws(
    () =>
      loadConfig(
        { ...database, PUBLIC_URL: 'app.berinia.com', PROVIDERS: 'vonage', VONAGE_API_URL: 'x' },
        undefined,
        tool,
      ),
    { variable: 'VONAGE_API_URL, PUBLIC_URL', message: /^VONAGE_API_URL must .*; PUBLIC_URL must be an absolute/ },
    'a value that is set is still checked',
  );
  t.equal(failing(database), 'TWILIO_TOKEN, PUBLIC_URL', 'the service (the default) needs its secrets');
  t.same(twilioOf(loadConfig({}, undefined, tool)).tokens, [DEVELOPMENT_TOKEN], 'development: as the service');
});
