import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from '../postgres/schema.js';

/**
 * The embedded default: Postgres compiled to WebAssembly, in-process, data in `dataDir`
 * (in memory when null). One connection, not crash-safe: production uses Postgres.
 */
export async function createPgliteDatabase(dataDir: string | null): Promise<Kysely<Database>> {
  const pglite = dataDir === null ? new PGlite() : new PGlite(dataDir);
  await pglite.waitReady;
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
