import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import {
  createPgliteDatabase,
  DataDirectoryInUseError,
  lockDataDir,
  PGLITE_TEMPLATE,
  PGLITE_VERSION,
} from '../adapters/pglite/pglite-database.js';
import { LOADER, ROOT } from './fixtures/process.js';

/** A data directory's path in a directory of its own (nothing created yet). */
const dataDirPath = () => join(mkdtempSync(join(tmpdir(), 'berinia-lock-')), 'pglite');
const inUse = (dataDir: string, pid: number) =>
  `the embedded database in ${dataDir} is in use by process ${pid} (the service, or another tool); ` +
  'stop it first, or set DATABASE_URL so that the service and the tools share Postgres';

/** Runs test/fixtures/hold-lock.ts on `dataDir` and resolves once it holds the lock. */
async function holder(dataDir: string, mode: 'exit' | 'wait') {
  const child = spawn(process.execPath, [...LOADER, join(ROOT, 'test/fixtures/hold-lock.ts'), dataDir, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  if (mode === 'exit') await exited;
  else while (!out.includes('held')) await once(child.stdout, 'data');
  return { child, exited, out: () => out };
}

t.test('a data directory is one process’s: a second opening is refused until the first is closed', async (t) => {
  const dataDir = dataDirPath();
  const db = await createPgliteDatabase(dataDir);
  t.equal(readFileSync(`${dataDir}.lock`, 'utf8'), `${process.pid}\n`, 'the lock names this process');
  await t.rejects(createPgliteDatabase(dataDir), {
    name: 'DataDirectoryInUseError',
    message: inUse(dataDir, process.pid),
  });
  await db.destroy();
  t.notOk(existsSync(`${dataDir}.lock`), 'closing the database releases it');
  t.same(readdirSync(dirname(dataDir)).sort(), ['pglite'], 'no temporary file is left');

  const again = await createPgliteDatabase(dataDir);
  t.equal((await again.selectNoFrom((eb) => eb.lit(1).as('one')).execute())[0]?.one, 1, 'and it opens again');
  await again.destroy();
});

t.test('a data directory PGlite cannot open is released with the error', async (t) => {
  const dataDir = dataDirPath();
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'PG_VERSION'), '99\n'); // not a cluster this PGlite can start
  await t.rejects(createPgliteDatabase(dataDir), /PGlite failed to initialize/);
  process.exitCode = undefined; // PGlite sets it on a failed start; this test process goes on
  t.notOk(existsSync(`${dataDir}.lock`));
});

t.test('a running holder is named and its lock left alone', async (t) => {
  const dataDir = dataDirPath();
  const running = await holder(dataDir, 'wait');
  t.teardown(() => void running.child.kill('SIGKILL'));
  const pid = running.child.pid as number;
  t.throws(() => lockDataDir(dataDir), new DataDirectoryInUseError(dataDir, pid));
  t.throws(() => lockDataDir(dataDir), { message: inUse(dataDir, pid) });
  t.equal(readFileSync(`${dataDir}.lock`, 'utf8'), `${pid}\n`);
  t.same(readdirSync(dirname(dataDir)), ['pglite.lock'], 'the refused attempt leaves nothing behind');

  // Killed (kill -9): nothing ran to release it, and the next opening takes it over.
  running.child.kill('SIGKILL');
  await running.exited;
  t.equal(readFileSync(`${dataDir}.lock`, 'utf8'), `${pid}\n`, 'a killed holder leaves its lock');
  const release = lockDataDir(dataDir);
  t.equal(readFileSync(`${dataDir}.lock`, 'utf8'), `${process.pid}\n`, 'the stale lock is replaced');
  release();
  release();
  t.notOk(existsSync(`${dataDir}.lock`), 'released once, however often asked');
});

t.test('a process that ends without closing releases its lock at exit', async (t) => {
  const dataDir = dataDirPath();
  const ended = await holder(dataDir, 'exit');
  t.equal(ended.out(), 'held\n');
  t.notOk(existsSync(`${dataDir}.lock`));
});

t.test('stale locks: a dead process, this pid from an earlier life, no number, a dangling link', async (t) => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  for (const [what, make] of [
    ['a process that has ended', (lock: string) => writeFileSync(lock, `${dead}\n`)],
    [
      'this pid, left by an earlier process (a container restarted)',
      (lock: string) => writeFileSync(lock, `${process.pid}\n`),
    ],
    ['no pid', (lock: string) => writeFileSync(lock, 'garbage\n')],
    ['pid 0', (lock: string) => writeFileSync(lock, '0\n')],
    ['a dangling link', (lock: string) => symlinkSync('/nonexistent/berinia-lock', lock)],
  ] as const) {
    const dataDir = dataDirPath();
    make(`${dataDir}.lock`);
    const release = lockDataDir(dataDir);
    t.equal(readFileSync(`${dataDir}.lock`, 'utf8'), `${process.pid}\n`, what);
    release();
  }
});

t.test('a lock that cannot be taken or cleared fails loudly', async (t) => {
  const directory = dataDirPath();
  mkdirSync(`${directory}.lock`); // not a file: neither read nor removed
  t.throws(() => lockDataDir(directory), { code: 'ERR_FS_EISDIR' });
  t.same(readdirSync(dirname(directory)), ['pglite.lock'], 'the temporary file is removed');

  const long = join(dirname(dataDirPath()), 'x'.repeat(251)); // `<name>.lock` is one character over NAME_MAX
  t.throws(() => lockDataDir(long), { code: 'ENAMETOOLONG' });
  t.same(readdirSync(dirname(long)), [], 'the temporary file is removed');
});

t.test('a new database starts from the template made for the installed PGlite', async (t) => {
  t.ok(
    existsSync(PGLITE_TEMPLATE),
    `adapters/pglite/initdb-${PGLITE_VERSION}.tar.gz exists (after upgrading PGlite: node --import tsx scripts/pglite-template.ts)`,
  );
  const dataDir = dataDirPath();
  const made = await createPgliteDatabase(dataDir);
  t.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the files are in the data directory');
  await sql`create table kept (note text)`.execute(made);
  await sql`insert into kept values ('still here')`.execute(made);
  await made.destroy();
  // Opened again: the existing database, not a new copy of the template over it.
  const reopened = await createPgliteDatabase(dataDir);
  t.same((await sql<{ note: string }>`select note from kept`.execute(reopened)).rows, [{ note: 'still here' }]);
  await reopened.destroy();
});

t.test('without a template, a new database is made by initdb', async (t) => {
  const dataDir = dataDirPath();
  const made = await createPgliteDatabase(dataDir, new URL('initdb-none.tar.gz', PGLITE_TEMPLATE));
  t.same((await sql<{ setting: string }>`select current_setting('shared_buffers') as setting`.execute(made)).rows, [
    { setting: '32MB' },
  ]);
  await made.destroy();
});
