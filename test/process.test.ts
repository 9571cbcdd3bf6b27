import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import type { Database } from '../adapters/postgres/schema.js';
import { message, recordRequest } from './fixtures/messages.js';
import { createTestDatabase } from './fixtures/postgres.js';
import { freePort } from './fixtures/ports.js';
import { ROOT, runCli, scratchDir, spawnService } from './fixtures/process.js';
import { runTool } from './fixtures/tools.js';
import { vonageFields, vonageSig } from './fixtures/providers.js';
import { DEVELOPMENT_VONAGE_SECRET } from '../adapters/vonage/index.js';

const TOKEN = 'process-test-token';
const SID = `SM${'f1a9'.repeat(8)}`;

t.test('production refuses to start without its secrets, naming the variable', async (t) => {
  const result = runCli('../main', [], { NODE_ENV: 'production', PUBLIC_URL: 'https://app.berinia.com' });
  t.equal(result.status, 78, 'EX_CONFIG, so systemd does not loop on it');
  t.equal(
    result.stderr,
    'berinia-webhook: configuration error: TWILIO_TOKEN is required when NODE_ENV=production and PROVIDERS ' +
      'includes twilio; DATABASE_URL is required when NODE_ENV=production\n',
    'every missing variable, in one line',
  );
  t.equal(result.stdout, '');
  // The review's attack: a token list that trims to nothing made production use the development token.
  const prod = {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://app.berinia.com',
    DATABASE_URL: 'postgres://x@127.0.0.1:1/db',
  };
  for (const [variable, env] of [
    ['TWILIO_TOKEN', { TWILIO_TOKEN: ' ,, ' }],
    [
      'VONAGE_SIGNATURE_SECRET',
      { PROVIDERS: 'vonage', VONAGE_SIGNATURE_SECRET: ',', VONAGE_API_KEY: 'k', VONAGE_API_SECRET: 's' },
    ],
  ] as const) {
    const blank = runCli('../main', [], { ...prod, ...env });
    t.equal(blank.status, 78, `${variable} blank once trimmed: exit 78`);
    t.match(
      blank.stderr,
      new RegExp(`configuration error: ${variable} is required when NODE_ENV=production .*holds none`),
    );
  }
});

t.test('on Postgres: npm start, npm run sms, the CLIs, SIGTERM', async (t) => {
  const url = await createTestDatabase(t);
  const migrated = await runTool('migrate', [], { DATABASE_URL: url });
  t.equal(migrated.status, 0, migrated.stderr);
  t.match(migrated.stdout, /database schema up to date \(postgres\)/);

  const env = { DATABASE_URL: url, TWILIO_TOKEN: TOKEN };
  t.equal(
    (await runTool('leads', ['--add', '+33611112222', '--campaign', 'spring-2026'], env)).stdout,
    'saved +33611112222 (campaign spring-2026)\n',
  );
  t.equal((await runTool('leads', ['--add', '+33611113333'], env)).stdout, 'saved +33611113333 (campaign none)\n');
  const service = await spawnService(t, env);
  const cli = { ...env, PORT: String(service.port) };

  const hello = await runTool('sms', ['--from', '+33611112222', '--body', 'Oui, rappelez-moi demain'], cli);
  t.equal(hello.status, 0, hello.stderr);
  t.equal(hello.stdout, '200 text/xml; charset=utf-8\n<?xml version="1.0" encoding="UTF-8"?><Response/>\n');

  const stop = await runTool('sms', ['--from', '+33699990000', '--body', 'STOP'], cli);
  t.match(
    stop.stdout,
    /^200 text\/xml; charset=utf-8\n<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>BerinIA : vous ne recevrez plus/,
  );

  const wrongToken = await runTool('sms', ['--body', 'x'], { ...cli, TWILIO_TOKEN: 'other' });
  t.equal(wrongToken.status, 1);
  t.match(wrongToken.stdout, /^403 /);

  const optedOut = await runTool('leads', ['--status', 'opted_out'], env);
  t.match(optedOut.stdout, /^1 lead\(s\)\n\+33699990000\topted_out\t-\topted out \d{4}-/);
  const all = await runTool('leads', ['--json'], env);
  t.same(
    all.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { phone: string; campaign_id: string | null }).campaign_id),
    [null, 'spring-2026', null],
    'newest change first: the call-back request moved +33611112222 up',
  );
  t.equal((await runTool('leads', ['--status', 'nonsense'], env)).status, 2);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) });
  await new KyselyRepository(db).record(
    recordRequest(message({ sender: '+33611112222' }), 'CALLBACK_REQUEST', { when_text: 'demain à 10h' }),
  );
  await new KyselyRepository(db).record(recordRequest(message({ sender: '+33611113333' }), 'MEETING'));
  await db.destroy();
  t.match(
    (await runTool('tasks', [], env)).stdout,
    /^3 open task\(s\)\n#\d+\tcallback\t\+33611112222\tdemain à 10h\tcampaign spring-2026\t\d{4}-.*\n#\d+\tmeeting\t\+33611113333\tno time given\tcampaign -\t.*\n#\d+\tcallback\t\+33611112222\tdemain \(\d{4}-\d\d-\d\dT09:00:00\+0[12]:00\)\tcampaign spring-2026\t/,
  );
  t.match((await runTool('leads', [], env)).stdout, /\+33611112222\tcallback_requested\tspring-2026\n/);
  t.equal((await runTool('tasks', ['--json'], { ...env, LOG_LEVEL: 'debug' })).status, 0);

  const flags = await runTool(
    'sms',
    ['--from', '+33699990001', '--to', '+33757000009', '--sid', SID, '--opt-out-type', 'STOP', '--body', 'Stop'],
    { ...cli, TWILIO_SID: `AC${'0a'.repeat(16)}` },
  );
  t.equal(
    flags.stdout,
    '200 text/xml; charset=utf-8\n<?xml version="1.0" encoding="UTF-8"?><Response/>\n',
    'Twilio already replied',
  );
  const target = await runTool(
    'sms',
    ['--target', `http://127.0.0.1:${service.port}`, '--sid', SID, '--body', 'Stop'],
    {
      ...env,
      PUBLIC_URL: `http://127.0.0.1:${service.port}`,
    },
  );
  t.match(target.stdout, /^200 /, 'a retry of the same sid is still answered 200');
  t.match(await runTool('sms', ['--provider', 'nexmo', '--body', 'x'], cli), {
    status: 64,
    stderr: /--provider must be an enabled provider \(twilio\), got 'nexmo'/,
  });

  // Numbers as typed: a lead added in national format and a STOP from its E.164 form are one lead.
  t.equal(
    (await runTool('leads', ['--add', '06 87 65 43 21', '--campaign', 'autumn'], env)).stdout,
    'saved +33687654321 (campaign autumn)\n',
  );
  const typo = await runTool('leads', ['--add', '06 87', '--add', '0033 6 87 65 43 22'], env);
  t.equal(typo.status, 1, 'a number that is not one fails the command');
  t.equal(typo.stderr, 'leads: "06 87" is not a phone number (read in FR numbering)\n');
  t.equal(typo.stdout, 'saved +33687654322 (campaign none)\n', 'the others are saved');
  t.match((await runTool('sms', ['--from', '06 87 65 43 21', '--body', 'STOP'], cli)).stdout, /^200 /);
  t.match(
    (await runTool('sms', ['--from', '+33699990002', '--to', '36180', '--body', 'Bonjour'], cli)).stdout,
    /^200 /,
    'a short code stays as written',
  );
  const stopped = (await runTool('leads', ['--json'], env)).stdout
    .split('\n')
    .filter((line) => line.includes('+3368765432'));
  t.equal(stopped.length, 2, 'no second lead for the same number');
  t.match(JSON.parse(stopped.find((line) => line.includes('+33687654321')) as string), {
    status: 'opted_out',
    campaign_id: 'autumn',
  });

  t.match((await runTool('purge', ['--days', '0'], env)).stdout, /nothing purged/);
  t.match((await runTool('purge', [], env)).stdout, /^purged the personal data of 0 message\(s\) received before /);
  t.equal((await runTool('purge', ['--days', 'x'], env)).status, 2);

  t.equal(await service.stop('SIGTERM'), 0, 'a graceful stop exits 0');
  t.ok(service.stdout.some((line) => line.includes('"msg":"stopped"')));
  const unreachable = await runTool('sms', ['--body', 'x'], cli);
  t.equal(unreachable.status, 2);
  t.match(unreachable.stderr, /could not reach/);
});

t.test('on the embedded default: no configuration at all', async (t) => {
  const cwd = scratchDir();
  writeFileSync(join(cwd, '.env'), `TWILIO_TOKEN=${TOKEN}\n`, { mode: 0o600 });
  const service = await spawnService(t, {}, cwd);
  t.ok(service.stdout.some((line) => line.includes('"database":"pglite"')));
  t.notOk(
    service.stdout.some((line) => line.includes('is readable by')),
    'a 0600 .env is fine',
  );
  const sent = await runTool('sms', ['--from', '+33688887777', '--body', 'stop'], { PORT: String(service.port) }, cwd);
  t.match(sent.stdout, /^200 text\/xml/, 'signed with the token from the same .env');
  t.match(sent.stdout, /<Message>/);
  const targeted = await runTool(
    'sms',
    ['--from', '+33688885555', '--body', 'oui', '--target', `http://127.0.0.1:${service.port}/`],
    {},
    cwd,
  );
  t.match(targeted.stdout, /^200 /, 'without PUBLIC_URL, signed for the --target the service listens on');

  // PGlite is single-process: while the service has it, a tool or a second service refuses in one
  // line, naming the directory and the service's pid, exit 75 (EX_TEMPFAIL), and writes nothing.
  const lock = join(cwd, 'data/pglite.lock');
  const inUse = (pid: number) =>
    `the embedded database in ${join(cwd, 'data/pglite')} is in use by process ${pid} (the service, or another tool); ` +
    'stop it first, or set DATABASE_URL so that the service and the tools share Postgres\n';
  const pid = service.child.pid as number;
  for (const [tool, args] of [
    ['leads', ['--add', '+33611110000']],
    ['tasks', []],
    ['migrate', []],
  ] as const) {
    const refused = await runTool(tool, [...args], {}, cwd);
    t.same([refused.status, refused.stdout, refused.stderr], [75, '', `${tool}: ${inUse(pid)}`], `${tool} refuses`);
  }
  const second = runCli('../main', [], { PORT: String(service.port + 1) }, cwd);
  t.same([second.status, second.stderr], [75, `berinia-webhook: cannot start: ${inUse(pid)}`]);
  t.match(
    (await runTool('sms', ['--from', '+33688886666', '--body', 'oui'], { PORT: String(service.port) }, cwd)).stdout,
    /^200 /,
    'the service goes on',
  );
  t.equal(await service.stop('SIGINT'), 0);
  t.notOk(existsSync(lock), 'a graceful stop releases the directory');

  // Stopped: the tools open it, and what they write is there for the next service.
  t.equal((await runTool('leads', ['--add', '+33611110000'], {}, cwd)).stdout, 'saved +33611110000 (campaign none)\n');
  const killed = await spawnService(t, {}, cwd);
  t.equal(await killed.stop('SIGKILL'), null, 'killed: nothing runs at exit');
  t.equal(readFileSync(lock, 'utf8'), `${killed.child.pid}\n`, 'the lock of the killed service is left behind');
  const next = await spawnService(t, {}, cwd);
  t.equal(readFileSync(lock, 'utf8'), `${next.child.pid}\n`, 'the next start takes the stale lock over');
  t.equal(await next.stop('SIGTERM'), 0);
  t.match((await runTool('leads', ['--status', 'opted_out'], {}, cwd)).stdout, /\+33688887777\topted_out/);
  t.match(
    (await runTool('leads', [], {}, cwd)).stdout,
    /^4 lead\(s\)\n/,
    'the three senders and the lead added between runs',
  );
  t.match((await runTool('leads', [], {}, cwd)).stdout, /\+33611110000\tactive\t-\n/);
  t.equal((await runTool('migrate', [], {}, cwd)).stdout, 'database schema up to date (pglite in ./data)\n');
});

t.test('without a token, the development token is announced and still checked', async (t) => {
  const url = await createTestDatabase(t);
  const cwd = scratchDir();
  writeFileSync(join(cwd, '.env'), '# nothing secret yet\n', { mode: 0o644 });
  const service = await spawnService(t, { DATABASE_URL: url }, cwd);
  t.ok(service.stdout.some((line) => line.includes('TWILIO_TOKEN is not set')));
  t.ok(service.stdout.some((line) => line.includes('.env is readable by every user (mode 644): chmod 600 .env')));
  const cli = { DATABASE_URL: url, PORT: String(service.port) };
  t.match(
    (await runTool('sms', ['--body', 'bonjour'], cli)).stdout,
    /^200 /,
    'the sms tool signs with the same development token',
  );
  t.match((await runTool('sms', ['--body', 'bonjour'], { ...cli, TWILIO_TOKEN: 'guess' })).stdout, /^403 /);
  t.match((await runTool('sms', ['--help'], cli)).stdout, /^usage: npm run sms/);
  t.equal(await service.stop(), 0);
});

t.test('an unreachable database: one line naming the cause, exit 69, from the service and a tool', async (t) => {
  const env = { DATABASE_URL: 'postgres://nobody:s3cret@127.0.0.1:1/none', HANDLER_TIMEOUT_MS: '1500' };
  const result = runCli('../main', [], env);
  t.same(
    [result.status, result.stderr],
    [69, 'berinia-webhook: cannot start: database unreachable: connect ECONNREFUSED 127.0.0.1:1\n'],
    'EX_UNAVAILABLE: systemd starts it again, for the database may come back',
  );
  const tool = runCli('tasks', [], env);
  t.same(
    [tool.status, tool.stdout, tool.stderr],
    [69, '', 'tasks: database unreachable: connect ECONNREFUSED 127.0.0.1:1\n'],
  );
});

t.test('a tool: no migration behind the operator, the webhook secrets not needed, one line on a mistake', async (t) => {
  const url = await createTestDatabase(t);
  const production = { NODE_ENV: 'production', DATABASE_URL: url };
  const behind = await runTool('tasks', [], production);
  t.equal(behind.status, 66, 'EX_NOINPUT');
  t.match(
    behind.stderr,
    /^tasks: the database schema is not current \(never migrated: \d+ migrations pending\): run npm run migrate\n$/,
  );
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const tables = await admin.query(`select table_name from information_schema.tables where table_schema = 'public'`);
  await admin.end();
  t.same(tables.rows, [], 'the database is left as it was: no table, not even the migration table');

  // Production with DATABASE_URL alone (no TWILIO_TOKEN, no PUBLIC_URL): migrate, then read.
  t.equal((await runTool('migrate', [], production)).status, 0);
  const read = await runTool('tasks', [], production);
  t.same([read.status, read.stdout], [0, '0 open task(s)\n'], read.stderr);
  const missing = await runTool('tasks', [], { NODE_ENV: 'production', PORT: 'x' });
  t.same(
    [missing.status, missing.stderr],
    [
      78,
      "tasks: configuration error: PORT must be a whole number from 0 to 65535, got 'x'; DATABASE_URL is required when NODE_ENV=production\n",
    ],
  );
});

t.test('an unreadable .env fails the start with the reason', async (t) => {
  const cwd = scratchDir();
  mkdirSync(join(cwd, '.env'));
  const result = runCli('../main', [], {}, cwd);
  t.equal(result.status, 1);
  t.match(result.stderr, /failed to start: .*EISDIR/);
  const tool = runCli('tasks', [], {}, cwd);
  t.equal(tool.status, 1, 'a tool too: what is no mistake of configuration keeps its stack');
  t.match(tool.stderr, /EISDIR[^]*\n {4}at /);
});

t.test('production refuses to start with an enabled provider that has no secret', async (t) => {
  const result = runCli('../main', [], {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://app.berinia.com',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    TWILIO_TOKEN: TOKEN,
    PROVIDERS: 'twilio,vonage',
  });
  t.equal(result.status, 78);
  t.match(
    result.stderr,
    /configuration error: VONAGE_SIGNATURE_SECRET is required when NODE_ENV=production and PROVIDERS includes vonage/,
  );
});

t.test('Vonage enabled without its secret outside production: the development secret is announced', async (t) => {
  const url = await createTestDatabase(t);
  const service = await spawnService(t, { DATABASE_URL: url, PROVIDERS: 'vonage' });
  t.ok(service.stdout.some((line) => line.includes('VONAGE_SIGNATURE_SECRET is not set')));
  t.notOk(
    service.stdout.some((line) => line.includes('TWILIO_TOKEN is not set')),
    'Twilio is not enabled',
  );
  const twilio = await fetch(`http://127.0.0.1:${service.port}/webhook/sms-response`, { method: 'POST' });
  t.equal(twilio.status, 404);
  // Signed with the development secret and Vonage's default method; no API credentials to reply.
  const fields = vonageFields({ text: 'STOP' });
  const query = new URLSearchParams({ ...fields, sig: vonageSig('md5hash', DEVELOPMENT_VONAGE_SECRET, fields) });
  t.equal((await fetch(`http://127.0.0.1:${service.port}/webhook/vonage/sms-response?${query}`)).status, 200);
  const deadline = Date.now() + 20_000;
  while (!service.stdout.some((line) => line.includes('reply not sent: given up')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(
    service.stdout.some((line) => line.includes('VONAGE_API_KEY and VONAGE_API_SECRET are not set')),
    'the missing API credentials are said, once, without retrying',
  );
  t.equal(await service.stop(), 0, 'the reply worker stops with the service');
});

t.test('SIGTERM to `npm start` (as a script or a process manager sends it) stops the service', async (t) => {
  const url = await createTestDatabase(t);
  const port = await freePort();
  // `npm start` runs the service through tsx, as a user does. tap would load its coverage hooks in
  // it too (NODE_OPTIONS), and coverage of tsx-compiled files does not map onto the sources: the
  // child runs without them (this test is about the signal, not about coverage).
  const npm = spawn('env', ['-u', 'NODE_OPTIONS', 'npm', 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      PORT: String(port),
      DATABASE_URL: url,
      TWILIO_TOKEN: TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    npm.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    npm.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"listening"')) resolve();
    });
    npm.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
  });
  const exited = once(npm, 'exit');
  npm.kill('SIGTERM'); // to npm only, not to its process group
  await exited;
  t.match(out, /"msg":"stopped"/, 'the service stopped gracefully');
  const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => 'answered',
    (error: Error) => error.message,
  );
  t.equal(refused, 'fetch failed', 'and nothing listens on its port any more');
});
