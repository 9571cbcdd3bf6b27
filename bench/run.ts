/**
 * `npm run bench`: the whole pipeline under load (verify, parse, store, interpret, act, answer),
 * compared in the same run with a bare node:http + pg baseline (bench/baseline.ts), on Postgres;
 * then the embedded PGlite default, back to back with a bare node:http + PGlite baseline
 * (bench/pglite-baseline.ts), each also timed from an empty data directory (its first start); and
 * the interpreter alone. Writes bench/RESULTS.md.
 *
 * The server runs pinned to CPU 0; Postgres and the load generator share CPU 1. Every run checks
 * that the rows stored equal the 200 answers and, for the service, that every row was interpreted
 * and tied to its lead's campaign.
 * Env: BENCH_RUNS (3), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (32);
 * BENCH_ONLY (comma list of baseline, postgres, pglite-baseline, pglite, interpreter: a partial run prints its table
 * and leaves RESULTS.md alone); BENCH_PROFILE (a directory: the service targets run with --cpu-prof,
 * and bench/profile.ts summarizes each profile written there); BENCH_RATE (requests a second in all,
 * for CPU per request at equal load; unset: as fast as the server answers).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import twilio from 'twilio';
import { createPgliteDatabase } from '../adapters/pglite/pglite-database.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import type { Database } from '../adapters/postgres/schema.js';

const USAGE = `usage: npm run bench

Loads the service and a bare node:http + pg baseline in the same run, then the service on PGlite
and a bare node:http + PGlite baseline (each also started on an empty directory), and the
interpreter alone, and writes bench/RESULTS.md (Postgres at 127.0.0.1:5432; a few minutes).
Settings come from the environment: BENCH_RUNS (3), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (5),
BENCH_CONNECTIONS (32), BENCH_ONLY (baseline,postgres,pglite-baseline,pglite,interpreter), BENCH_RATE, BENCH_PROFILE.
`;
const args = process.argv.slice(2);
if (args.length > 0) {
  // No option starts a run: --help answers, anything else is a usage error (sysexits EX_USAGE).
  const help = args.length === 1 && (args[0] === '--help' || args[0] === '-h');
  (help ? process.stdout : process.stderr).write(
    help ? USAGE : `bench: unknown argument ${args[0] as string}\n${USAGE}`,
  );
  process.exit(help ? 0 : 64);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const TARGETS = ['baseline', 'postgres', 'pglite-baseline', 'pglite', 'interpreter'];
const ONLY = new Set((process.env['BENCH_ONLY'] ?? TARGETS.join(',')).split(','));
const PROFILE_DIR = process.env['BENCH_PROFILE'];
/** A fixed total request rate instead of as fast as it answers: to compare CPU per request at equal load. */
const RATE = process.env['BENCH_RATE'] === undefined ? undefined : Number(process.env['BENCH_RATE']);
const ADMIN_URL = process.env['BENCH_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'bench-auth-token-0123456789abcdef';
const PUBLIC_URL = 'https://bench.berinia.test';
const PATH = '/webhook/sms-response';
const BODIES = [
  'Oui ça m’intéresse 👍',
  'Rappelez-moi demain à 10h, merci',
  'STOP',
  'Pas intéressé merci, bonne journée',
  'C’est combien pour 3 utilisateurs ? 🤔',
  'rdv jeudi 14h30 ça vous va ?',
  'Vous vous êtes trompé de numéro',
  'Envoyez la doc à jean.dupont@exemple.fr 📄',
];

// ---- leads: replies come from numbers we texted, as in production ----
/** Leads registered before the service runs; the requests' senders cycle through them. */
const LEADS = 200_000;
const FIRST_LEAD = 10_000_000;
const leadPhone = (i: number) => `+336${FIRST_LEAD + i}`;

/** Migrates the service's database and registers the leads of 20 campaigns (`npm run leads` would, one by one). */
async function prepareServiceDatabase(db: Kysely<Database>): Promise<void> {
  await migrateToLatest(db);
  await sql`insert into leads (phone, campaign_id, status, created_at, updated_at)
    select '+336' || (${FIRST_LEAD}::int + i), 'bench-campaign-' || (i % 20), 'active', now(), now()
    from generate_series(0, ${LEADS - 1}::int) as i`.execute(db);
  await sql`vacuum analyze leads`.execute(db); // settled, as a table loaded long before the replies
  await db.destroy();
}

/**
 * What a service run must leave: a row for every 200, each tied to its campaign and read as what
 * it says (every benchmark body has a clear intent: UNKNOWN is what a failing interpreter stores).
 */
async function checkService(target: string, db: Kysely<Database>, acknowledged: number, loads: number): Promise<void> {
  const { rows } = await sql<{ n: number; missing: number; unattributed: number }>`
    select count(*)::int as n, count(*) filter (where intent = 'UNKNOWN')::int as missing,
      count(*) filter (where campaign_id is null)::int as unattributed
    from inbound_messages`.execute(db);
  await db.destroy();
  const { n, missing, unattributed } = rows[0] as { n: number; missing: number; unattributed: number };
  checkStored(target, acknowledged, n, loads);
  if (missing !== 0) fail(`${target}: ${missing} stored messages not interpreted`);
  if (unattributed !== 0) fail(`${target}: ${unattributed} stored messages without their campaign`);
}

// ---- requests: unique MessageSid, signed beforehand so signing is not measured ----
let sequence = 0;
function signedRequest(): { body: string; headers: Record<string, string> } {
  sequence += 1;
  const fields: Record<string, string> = {
    ToCountry: 'FR',
    SmsMessageSid: `SM${String(sequence).padStart(32, '0')}`,
    NumMedia: '0',
    MessageSid: `SM${String(sequence).padStart(32, '0')}`,
    SmsSid: `SM${String(sequence).padStart(32, '0')}`,
    AccountSid: 'AC00000000000000000000000000000000',
    From: leadPhone(sequence % LEADS),
    To: '+33757000001',
    Body: BODIES[sequence % BODIES.length] as string,
    NumSegments: '1',
    ApiVersion: '2010-04-01',
  };
  const signature = twilio.getExpectedTwilioSignature(TOKEN, PUBLIC_URL + PATH, fields);
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  };
}
function presign(count: number) {
  return Array.from({ length: count }, signedRequest);
}

// ---- processes ----
/**
 * Every server runs as production runs it: compiled by tsc, without the tsx loader (which adds a
 * loader thread and esbuild's name helpers), with the node flags of the systemd unit's ExecStart.
 */
const BUILD_DIR = '.bench';
const NODE_FLAGS = unitNodeFlags(readFileSync(join(ROOT, 'deploy/systemd/berinia-webhook.service'), 'utf8'));
function unitNodeFlags(unit: string): string[] {
  const flags = /^ExecStart=\S+((?: --\S+)*) \S+$/m.exec(unit)?.[1];
  if (flags === undefined) throw new Error('no `ExecStart=node [--flags] entry` line in the systemd unit');
  return flags.trim().split(' ');
}
function compiled(entry: string): string {
  return join(ROOT, BUILD_DIR, entry.replace(/\.ts$/, '.js'));
}
rmSync(join(ROOT, BUILD_DIR), { recursive: true, force: true });
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
// The interpreter's model is data, not code: tsc does not copy it (npm run build does the same).
mkdirSync(join(ROOT, BUILD_DIR, 'adapters/interpreter/data'), { recursive: true });
copyFileSync(
  join(ROOT, 'adapters/interpreter/data/model.json'),
  join(ROOT, BUILD_DIR, 'adapters/interpreter/data/model.json'),
);
// So is the embedded database's template (npm run build copies it too).
for (const file of readdirSync(join(ROOT, 'adapters/pglite')).filter((name) => name.endsWith('.tar.gz')))
  copyFileSync(join(ROOT, 'adapters/pglite', file), join(ROOT, BUILD_DIR, 'adapters/pglite', file));

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function start(entry: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const profile =
    PROFILE_DIR !== undefined && entry === 'app/main.ts' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn('taskset', ['-c', '0', process.execPath, ...NODE_FLAGS, ...profile, compiled(entry)], {
    cwd: mkdtempSync(join(tmpdir(), 'berinia-bench-cwd-')), // no .env of the developer's
    // The production log level: every webhook writes its line (to /dev/null here, journald in production).
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 1200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`); // any answer: it listens
      return { child, port };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${entry} did not start`);
}

/**
 * A start on an empty data directory, as a newcomer's first `npm start`: seconds from spawning the
 * process to its first answer (initialising the database included), and its peak RSS.
 */
async function firstStart(entry: string, env: Record<string, string>): Promise<{ seconds: number; rssMb: number }> {
  const started = process.hrtime.bigint();
  const { child } = await start(entry, env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssMb = peakRssMb(child.pid as number);
  await stop(child);
  return { seconds, rssMb };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
}
function peakRssMb(pid: number): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(line?.[1]) / 1024);
}
/** Postgres: the postmaster and the processes it started (a backend per connection, WAL writer...). */
function databasePids(): number[] {
  const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return [postmaster, ...children.map(Number)];
}
/** Runs `step` for each Postgres process, skipping those that ended in between. */
function eachDatabaseProcess(step: (pid: number) => void): void {
  for (const pid of databasePids()) {
    try {
      step(pid);
    } catch {
      // a backend that ended in between
    }
  }
}
function databaseTicks(): number {
  let ticks = 0;
  eachDatabaseProcess((pid) => (ticks += cpuTicks(pid)));
  return ticks;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  cpuUsPerRequest: number;
  dbUsPerRequest: number;
}

async function load(port: number, seconds: number, pid: number): Promise<RunResult> {
  const requests = presign(Math.ceil(seconds * 15_000));
  let next = 0;
  const before = cpuTicks(pid);
  const dbBefore = databaseTicks();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    ...(RATE === undefined ? {} : { overallRate: RATE }),
    requests: [{ setupRequest: (req) => ({ ...req, ...(requests[next++ % requests.length] as object) }) }],
  });
  const ticks = cpuTicks(pid) - before;
  const dbTicks = databaseTicks() - dbBefore;
  const ok = result['2xx'];
  const perRequest = (elapsed: number) => Math.round((elapsed / CLOCK_TICKS / Math.max(ok, 1)) * 1e6);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    cpuUsPerRequest: perRequest(ticks),
    dbUsPerRequest: perRequest(dbTicks),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

interface TargetResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  rssMb: number;
  cpuUs: number;
  dbUs: number;
  requests: number;
  firstStart?: { seconds: number; rssMb: number };
}

async function pgDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function countRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
  await client.end();
  return rows;
}

const postgres = (url: string) =>
  new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });

async function bench(
  name: string,
  entry: string,
  env: Record<string, string>,
  check: (acknowledged: number, loads: number) => Promise<void>,
): Promise<TargetResult> {
  const { child, port } = await start(entry, env);
  children.add(child);
  const pid = child.pid as number;
  let acknowledged = 0;
  const warm = await load(port, WARMUP, pid);
  acknowledged += warm.ok;
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await load(port, SECONDS, pid);
    acknowledged += run.ok;
    runs.push(run);
    process.stderr.write(`${name} run ${i + 1}: ${Math.round(run.rps)} req/s, p99 ${run.p99} ms\n`);
    if (!name.includes('PGlite')) await check(acknowledged, i + 2);
  }
  const rssMb = peakRssMb(pid);
  await stop(child);
  children.delete(child);
  if (name.includes('PGlite')) await check(acknowledged, RUNS + 1);
  return {
    name,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    rssMb,
    cpuUs: median(runs.map((r) => r.cpuUsPerRequest)),
    dbUs: median(runs.map((r) => r.dbUsPerRequest)),
    requests: acknowledged,
  };
}

const children = new Set<ChildProcess>();

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}

/**
 * Nothing acknowledged is lost: every 200 has its row. A few more rows than 200s is expected: when
 * a run's time is up, the load generator drops the requests still in flight (at most one per
 * connection), which the server may already have stored.
 */
function checkStored(target: string, acknowledged: number, stored: number, loads: number): void {
  if (stored < acknowledged) fail(`${target}: ${acknowledged} acknowledged but only ${stored} stored`);
  if (stored - acknowledged > CONNECTIONS * loads) fail(`${target}: ${stored} stored for ${acknowledged} acknowledged`);
}

// ---- the run ----
const postmaster = Number(readFileSync('/var/lib/postgresql/15/main/postmaster.pid', 'utf8').split('\n')[0]);
/** Postgres and every process it has started onto `cpus` (backends started later inherit it). */
function pinDatabase(cpus: string): void {
  eachDatabaseProcess((pid) => execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }));
}
pinDatabase('1');
execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const results = new Map<string, TargetResult>();
try {
  if (ONLY.has('baseline')) {
    const baselineUrl = await pgDatabase('bench_baseline');
    results.set(
      'baseline',
      await bench(
        'bare node:http + pg (baseline)',
        'bench/baseline.ts',
        { DATABASE_URL: baselineUrl, TWILIO_TOKEN: TOKEN, PUBLIC_URL },
        async (acked, loads) => {
          checkStored('baseline', acked, await countRows(baselineUrl, 'baseline_messages'), loads);
        },
      ),
    );
  }
  if (ONLY.has('postgres')) {
    const serviceUrl = await pgDatabase('bench_service');
    await prepareServiceDatabase(postgres(serviceUrl));
    const serviceEnv = { DATABASE_URL: serviceUrl, TWILIO_TOKEN: TOKEN, PUBLIC_URL };
    results.set(
      'postgres',
      await bench('service on Postgres', 'app/main.ts', serviceEnv, (acked, loads) =>
        checkService('service', postgres(serviceUrl), acked, loads),
      ),
    );
  }
  // The two PGlite targets back to back, so that their ratio holds on a machine shared with others.
  if (ONLY.has('pglite-baseline')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'berinia-bench-'));
    const env = { DATA_DIR: dataDir, TWILIO_TOKEN: TOKEN, PUBLIC_URL };
    const first = await firstStart('bench/pglite-baseline.ts', env);
    results.set('pglite-baseline', {
      ...(await bench('bare node:http + PGlite (baseline)', 'bench/pglite-baseline.ts', env, async (acked, loads) => {
        const db = await createPgliteDatabase(join(dataDir, 'pglite'));
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from baseline_messages`.execute(db);
        await db.destroy();
        checkStored('PGlite baseline', acked, (rows[0] as { n: number }).n, loads);
      })),
      firstStart: first,
    });
  }
  if (ONLY.has('pglite')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'berinia-bench-'));
    const env = { DATA_DIR: dataDir, TWILIO_TOKEN: TOKEN, PUBLIC_URL };
    const first = await firstStart('app/main.ts', env);
    await prepareServiceDatabase(await createPgliteDatabase<Database>(join(dataDir, 'pglite')));
    results.set('pglite', {
      ...(await bench('service on PGlite (embedded default)', 'app/main.ts', env, async (acked, loads) =>
        checkService('PGlite', await createPgliteDatabase<Database>(join(dataDir, 'pglite')), acked, loads),
      )),
      firstStart: first,
    });
  }
} finally {
  pinDatabase('0-1');
}

const interpreter = ONLY.has('interpreter')
  ? (JSON.parse(
      execFileSync('taskset', ['-c', '0', process.execPath, ...NODE_FLAGS, compiled('bench/interpreter.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as { messagesPerSecond: number; microsPerMessage: number })
  : undefined;

if (PROFILE_DIR !== undefined) {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/profile.ts'), PROFILE_DIR], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

// ---- report ----
const baseline = results.get('baseline');
const service = results.get('postgres');
const pgliteBaseline = results.get('pglite-baseline');
const pglite = results.get('pglite');
const pgVersion = execFileSync('psql', [ADMIN_URL, '-tAc', 'show server_version'], { encoding: 'utf8' }).trim();
const lines = [
  '# Benchmark results',
  '',
  `${new Date().toISOString()} — ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}, Postgres ${pgVersion}.`,
  `Server pinned to CPU 0; Postgres and the load generator (autocannon, in the bench process) on CPU 1.`,
  `${CONNECTIONS} connections, ${WARMUP} s warm-up then ${RUNS} runs of ${SECONDS} s per target; medians of the runs.`,
  `Each request is a distinct pre-signed Twilio webhook (unique MessageSid, French bodies with accents and emoji), from one of ${LEADS} leads registered in 20 campaigns beforehand (replies come from numbers we texted).`,
  'After each run: a row for every 200 answer (nothing acknowledged lost; at most one extra row per connection, for requests cut off when the time is up), every stored message interpreted and tied to its campaign; else the bench fails.',
  'CPU µs/req: the server process; DB µs/req: all Postgres processes (the postmaster and its backends).',
  "First start: from spawning the process on an empty data directory to its first answer (creating the database included), and that process's peak RSS.",
  '',
  '| target | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req | DB µs/req | requests acknowledged | first start s (peak RSS MB) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...[...results.values()].map(
    (r) =>
      `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.rssMb} | ${r.cpuUs} | ${r.name.includes('PGlite') ? '–' : r.dbUs} | ${r.requests} | ${r.firstStart ? `${r.firstStart.seconds.toFixed(1)} (${r.firstStart.rssMb})` : '–'} |`,
  ),
  '',
  ...(pgliteBaseline && pglite
    ? [
        `Service on PGlite / PGlite baseline: **${(pglite.rps / pgliteBaseline.rps).toFixed(2)}**. Service on PGlite: ${Math.round(pglite.rps)} req/s (target ≥ 2,000), peak RSS ${pglite.rssMb} MB (target ≤ 250 MB), first start ${pglite.firstStart?.seconds.toFixed(1)} s (target ≤ 5 s).`,
        '',
      ]
    : []),
  ...(baseline && service
    ? [
        `Service / baseline: **${(service.rps / baseline.rps).toFixed(2)}** (target ≥ 0.80). Service p99 ${service.p99} ms (target < 10 ms), peak RSS ${service.rssMb} MB (target < 150 MB).`,
        '',
      ]
    : []),
  ...(interpreter
    ? [
        `Interpreter alone, one core: **${Math.round(interpreter.messagesPerSecond)} messages/s** (${interpreter.microsPerMessage.toFixed(1)} µs a message; target ≥ 30,000).`,
        '',
      ]
    : []),
];
/** What follows this line in RESULTS.md is written by hand (analyses, before/after figures): a run keeps it. */
const NOTES = '<!-- notes: kept by npm run bench -->';
if (TARGETS.every((target) => ONLY.has(target))) {
  const previous = readFileSync(join(ROOT, 'bench/RESULTS.md'), 'utf8');
  const notes = previous.includes(NOTES) ? previous.slice(previous.indexOf(NOTES)) : '';
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), [...lines, ...(notes === '' ? [] : [notes])].join('\n'));
}
process.stdout.write(lines.join('\n'));
