import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, ROOT } from './fixtures/process.js';
import { freePort } from './fixtures/ports.js';
import { createTestDatabase } from './fixtures/postgres.js';
import { PUBLIC_URL, TEST_TOKEN } from './fixtures/service.js';

/**
 * The tools an operator runs (docs/deploy.md, "Logs and metrics"), by npm script name: every script
 * of package.json that starts one through scripts/tool.mjs, so that a new tool is checked here too.
 */
const SCRIPTS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;
const TOOLS = Object.keys(SCRIPTS).filter((script) => SCRIPTS[script]?.startsWith('node scripts/tool.mjs '));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A child without tap's coverage hooks: the installed layout has no TypeScript loader. */
function run(command: string, args: string[], env: Record<string, string>, cwd: string, input = ''): Run {
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(env),
    input,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `run`, without waiting for it: several start at once. */
function runAsync(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn(command, args, {
    cwd,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, ...out })));
}

/** A temporary root for the install (some 110 MB once installed), removed when the file's tests end. */
function installRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'berinia-install-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

t.test('installed as deploy/install.sh does it: every operator tool runs from dist/ without tsx', async (t) => {
  const app = join(installRoot(), 'opt/berinia-webhook');
  // The code step of install.sh, for real: copy, npm ci, npm run build, dev dependencies pruned.
  // npm's cache serves what it holds (integrity still checked against the lockfile).
  const installed = run(
    'bash',
    [join(ROOT, 'deploy/install.sh'), '--code', app],
    { npm_config_prefer_offline: 'true' },
    ROOT,
  );
  t.equal(installed.status, 0, `install.sh --code ${installed.stderr.slice(-2000)}`);
  t.notOk(existsSync(join(app, 'node_modules/tsx')), 'dev dependencies are pruned (no tsx)');
  t.ok(existsSync(join(app, 'dist/app/main.js')), 'the service is compiled');
  t.same(
    readFileSync(join(app, 'dist/adapters/interpreter/data/model.json')),
    readFileSync(join(ROOT, 'adapters/interpreter/data/model.json')),
    "the build carries the interpreter's model",
  );

  // The operator's shell: the env file loaded, NODE_ENV=production (docs/deploy.md).
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: await createTestDatabase(t),
    PUBLIC_URL,
    TWILIO_TOKEN: TEST_TOKEN,
  };
  const npm = (script: string, args: string[] = [], input = ''): Run =>
    run('npm', ['run', '-s', script, '--', ...args], env, app, input);

  // Side by side: each is an npm and a node process that mostly start up.
  const helps = await Promise.all(TOOLS.map((tool) => runAsync('npm', ['run', '-s', tool, '--', '--help'], env, app)));
  t.ok(TOOLS.includes('tasks') && TOOLS.includes('report'), `the tools come from package.json: ${TOOLS.join(', ')}`);
  TOOLS.forEach((tool, i) => {
    const help = helps[i] as Run;
    t.equal(help.status, 0, `npm run ${tool} -- --help: exit 0 ${help.stderr}`);
    t.match(help.stdout, /^usage: npm run/, `npm run ${tool} -- --help prints its usage`);
    t.notMatch(help.stderr, /Cannot find package/, `npm run ${tool} finds every package it loads`);
  });

  const migrated = npm('migrate');
  t.equal(migrated.status, 0, `npm run migrate ${migrated.stderr}`);

  // The installed service itself, as the unit starts it, for `npm run sms` to talk to.
  const port = await freePort();
  const service = spawn(process.execPath, ['--enable-source-maps', join(app, 'dist/app/main.js')], {
    cwd: app,
    env: { PATH: process.env['PATH'], ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopped = new Promise((resolve) => service.once('exit', resolve));
  t.teardown(async () => {
    service.kill('SIGTERM');
    await stopped;
  });
  let stderr = '';
  service.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    service.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"listening"')) resolve();
    });
    service.once('exit', (code) => reject(new Error(`the installed service exited with ${code}: ${stderr}`)));
  });

  const sms = npm('sms', [
    '--from',
    '06 12 34 56 78',
    '--body',
    'Rappelez-moi demain à 10h',
    '--target',
    `http://127.0.0.1:${port}`,
  ]);
  t.equal(sms.status, 0, `npm run sms ${sms.stderr}`);
  t.match(sms.stdout, /^200 text\/xml/, 'the installed service stored the signed webhook');

  const tasks = npm('tasks');
  t.equal(tasks.status, 0, tasks.stderr);
  t.match(tasks.stdout, /^1 open task\(s\)\n#\d+\tcallback\t\+33612345678\t/, 'npm run tasks lists the call-back');
  const leads = npm('leads', ['--json']);
  t.equal(leads.status, 0, leads.stderr);
  t.match(leads.stdout, /"phone":"\+33612345678"/, 'npm run leads lists the sender');
  const review = npm('review');
  t.equal(review.status, 0, review.stderr);
  t.match(review.stdout, /^0 /, 'npm run review: nothing held');
  const purge = npm('purge');
  t.equal(purge.status, 0, `npm run purge ${purge.stderr}`);
  const interpret = npm('interpret', [], 'STOP\n');
  t.equal(interpret.status, 0, interpret.stderr);
  t.match(JSON.parse(interpret.stdout), { intent: 'OPT_OUT' }, 'npm run interpret reads with the installed model');
});

/**
 * The launcher in a child without tap's coverage hooks: it compiles the sources with tsx, whose
 * coverage would not map onto the same lines as tap's TypeScript loader and would corrupt the
 * report (as for `npm start` in process.test.ts). What it does is still asserted here.
 */
function tool(args: string[], env: Record<string, string>, cwd: string, input = ''): Run {
  return run('env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, ...args], env, cwd, input);
}

t.test('scripts/tool.mjs: the sources through tsx in a checkout; a clear line without a build', async (t) => {
  const env = { NODE_ENV: 'development' };
  const help = tool([join(ROOT, 'scripts/tool.mjs'), 'tasks', '--help'], env, ROOT);
  t.equal(help.status, 0, help.stderr);
  t.match(help.stdout, /^usage: npm run tasks/);
  const interpret = tool([join(ROOT, 'scripts/tool.mjs'), 'interpret'], env, ROOT, 'Oui\n');
  t.match(JSON.parse(interpret.stdout), { intent: 'INTERESTED' }, 'the TypeScript sources run');

  const unknown = tool([join(ROOT, 'scripts/tool.mjs'), 'bogus'], env, ROOT);
  t.equal(unknown.status, 64, 'an unknown tool is a usage error');
  t.match(unknown.stderr, /^usage: node scripts\/tool\.mjs TOOL[^]*tasks/);

  // A copy with neither tsx nor dist/ next to it: what an install whose build failed looks like.
  const bare = mkdtempSync(join(tmpdir(), 'berinia-bare-'));
  mkdirSync(join(bare, 'scripts'));
  copyFileSync(join(ROOT, 'scripts/tool.mjs'), join(bare, 'scripts/tool.mjs'));
  const missing = tool([join(bare, 'scripts/tool.mjs'), 'tasks'], env, bare);
  t.equal(missing.status, 1);
  t.equal(missing.stderr, `tasks: ${join(bare, 'dist/app/cli/tasks.js')} is missing: run npm run build first\n`);
});
