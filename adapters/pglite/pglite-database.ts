import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
const engines = new WeakMap<object, PGlite>();

/**
 * The embedded default: Postgres compiled to WebAssembly, in-process, data in `dataDir`
 * (in memory when null). One connection, not crash-safe: production uses Postgres. The schema and
 * its migrations are the Postgres adapter's, applied by the app.
 */
export async function createPgliteDatabase<Database>(dataDir: string | null): Promise<Kysely<Database>> {
  const pglite = dataDir === null ? new PGlite() : new PGlite(dataDir);
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
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
