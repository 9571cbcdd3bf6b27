/**
 * Writes the embedded database's starting point, adapters/pglite/initdb-<PGlite version>.tar.gz:
 * the database cluster PGlite's initdb makes (empty, not migrated), so that a first start loads it
 * (about a second) instead of running initdb in WebAssembly (6 to 14 s here, 850 MB of memory).
 * Run it after upgrading @electric-sql/pglite (test/pglite-lock.test.ts fails until then):
 *   node --import tsx scripts/pglite-template.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_TEMPLATE } from '../adapters/pglite/pglite-database.js';

const pglite = new PGlite();
await pglite.waitReady;
await pglite.exec('checkpoint'); // the files complete, nothing left to replay
const tar = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
await pglite.close();
writeFileSync(PGLITE_TEMPLATE, gzipSync(tar, { level: 9 }));
process.stdout.write(`${fileURLToPath(PGLITE_TEMPLATE)} written\n`);
