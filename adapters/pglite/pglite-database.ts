import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { Driver } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';

const engines = new WeakMap<object, PGlite>();

/**
 * The embedded database's directory is open in another process. PGlite is one Postgres backend
 * in one process: a second process opening the same files works on its own copy in memory, and
 * what either writes can be lost (or the second crashes, `RuntimeError: Aborted()`).
 */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid} (the service, or another tool); ` +
        'stop it first, or set DATABASE_URL so that the service and the tools share Postgres',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

/** Lock files this process holds (a second opening in the same process is refused as well). */
const held = new Set<string>();

/** Whether `pid` is a running process other than this one (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a lock file names; NaN when it cannot be read (gone, a dangling link) or holds no number. */
function holderOf(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

/**
 * Takes `<dataDir>.lock` for this process, or throws `DataDirectoryInUseError` naming the process
 * that holds it. The file holding our pid is linked into place, so that it never exists half
 * written and two processes cannot both create it. A lock whose process is gone (killed, crashed,
 * or a pid this process now has after a restart in a container) is stale and replaced. Returns
 * the release, also run at exit.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = `${resolve(dataDir)}.lock`;
  if (held.has(path)) throw new DataDirectoryInUseError(resolve(dataDir), process.pid);
  const mine = join(dirname(path), `.pglite-lock-${process.pid}`);
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = holderOf(path);
      if (running(holder)) throw new DataDirectoryInUseError(resolve(dataDir), holder);
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
  held.add(path);
  const release = (): void => {
    if (!held.delete(path)) return;
    rmSync(path, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}

/**
 * Kysely's PGlite dialect for the service: its destroy (after closing PGlite) releases the data
 * directory's lock, and each use of the connection first lets the event loop read what has arrived.
 *
 * PGlite runs a statement synchronously, on this thread. Without the yield, a webhook's write
 * would start and finish before the next request is even read, so the repository's group commit
 * (WriteBatcher) never finds anything waiting and every message pays a statement and a commit of
 * its own; with it, the requests read meanwhile wait for the connection and go together in the
 * next batch (the bench: CPU per request divided by about five, bench/RESULTS.md).
 */
class LockedPgliteDialect extends PGliteDialect {
  constructor(
    pglite: PGlite,
    private readonly release: () => void,
  ) {
    super(pglite);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => {
      const connection = await acquire();
      await new Promise((resolve) => setImmediate(resolve));
      return connection;
    };
    const destroy = driver.destroy.bind(driver);
    driver.destroy = async () => {
      try {
        await destroy();
      } finally {
        this.release();
      }
    };
    return driver;
  }
}

/**
 * PGlite's defaults but for shared_buffers: 160 MB of it (written at start, so resident at once)
 * was most of the service's memory. The data files are read through the operating system's cache,
 * so a smaller buffer pool costs little here (bench/RESULTS.md).
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** The version of PGlite installed: the data directory's format is its own. */
export const PGLITE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')), 'utf8')) as {
    version: string;
  }
).version;

/**
 * A new database's files as PGlite's initdb makes them, made once by scripts/pglite-template.ts for
 * this version of PGlite: loading them takes about a second where initdb, in WebAssembly, takes
 * 6 to 14 s and 850 MB of memory. Absent (another PGlite version, or a build that did not copy it),
 * a new database is made by initdb as before.
 */
export const PGLITE_TEMPLATE = new URL(`./initdb-${PGLITE_VERSION}.tar.gz`, import.meta.url);

/** The template's files for a database not made yet, when there is a template. */
function templateFor(dataDir: string | null, template: URL): Blob | undefined {
  if (dataDir !== null && existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  if (!existsSync(template)) return undefined;
  return new Blob([readFileSync(template)]);
}

/**
 * The embedded default: Postgres compiled to WebAssembly, in-process, data in `dataDir`
 * (in memory when null), new databases made from `template`. One connection, not crash-safe:
 * production uses Postgres. The schema and its migrations are the Postgres adapter's, applied
 * by the app. One process at a time: a directory open elsewhere throws `DataDirectoryInUseError` (see `lockDataDir`); the
 * lock goes with `db.destroy()` or the process.
 */
export async function createPgliteDatabase<Database>(
  dataDir: string | null,
  template: URL = PGLITE_TEMPLATE,
): Promise<Kysely<Database>> {
  const release = dataDir === null ? () => {} : lockDataDir(dataDir);
  // PGlite is 10 MB of WebAssembly. V8 compiles it with its baseline compiler, then again with its
  // optimising one (TurboFan) for the functions that run most: Postgres's are large, and that second
  // compilation cost 60 MB of peak memory and more CPU than it saved in the bench (bench/RESULTS.md).
  // Read when a module is compiled: it applies to the WebAssembly this process compiles from now on.
  setFlagsFromString('--liftoff-only');
  let pglite: PGlite;
  try {
    const loadDataDir = templateFor(dataDir, template);
    pglite = new PGlite({
      ...(dataDir === null ? {} : { dataDir }),
      ...(loadDataDir === undefined ? {} : { loadDataDir }),
      startParams: START_PARAMS,
    });
    await pglite.waitReady;
  } catch (error) {
    release();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new LockedPgliteDialect(pglite, release) });
  // Kysely destroys only a driver it has initialised (on a first query): initialise it now, so that
  // `destroy()` always closes PGlite and releases the lock.
  await db.connection().execute(async () => {});
  engines.set(db, pglite);
  return db;
}

/**
 * A way for other SQL clients (the job queue) to run statements on the embedded database: each
 * waits for Kysely's one connection, so it never lands inside a transaction of the repository.
 * Text without values may hold several statements. Undefined for a database not made here.
 */
export function pgliteStatements<Database>(
  db: Kysely<Database>,
): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } | undefined {
  const pglite = engines.get(db);
  if (pglite === undefined) return undefined;
  return {
    executeSql: (text, values) =>
      db.connection().execute(async () => {
        if (values !== undefined && values.length > 0) return { rows: (await pglite.query(text, values)).rows };
        // The last statement's rows, as pg answers a multi-statement text.
        const results = await pglite.exec(text);
        return { rows: results.reduce<unknown[]>((_, result) => result.rows, []) };
      }),
  };
}
