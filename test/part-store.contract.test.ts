import t from 'tap';
import type { Test } from 'tap';
import { sql } from 'kysely';
import { InMemoryPartStore } from '../adapters/memory/in-memory-part-store.js';
import { KyselyPartStore } from '../adapters/postgres/kysely-part-store.js';
import type { MessagePart, PartStore } from '../core/ports/part-store.js';
import { PARTS_WINDOW_MS } from '../core/parts.js';
import { createPgliteDatabase } from '../adapters/pglite/pglite-database.js';
import type { Database } from '../adapters/postgres/schema.js';
import { migrateToLatest } from '../adapters/postgres/migrations.js';
import { createMigratedDatabase } from './fixtures/postgres.js';

const AT = new Date('2026-11-25T09:00:00Z');

function part(id: string, position: number, overrides: Partial<MessagePart> = {}): MessagePart {
  return {
    provider: 'vonage',
    message_id: id,
    sender: '+33612345678',
    recipient: '+33757000002',
    ref: 'A1',
    total: 3,
    part: position,
    fields: { message_id: id, text: `part ${position} ✔` },
    received_at: AT,
    ...overrides,
  };
}

const positions = (outcome: Awaited<ReturnType<PartStore['add']>>) =>
  outcome.complete ? outcome.parts.map((p) => `${p.message_id}:${p.part}`) : outcome.received;

function partStoreContract(t: Test, make: () => Promise<PartStore>): void {
  t.test('parts in any order: complete on the last one, in order, fields kept', async (t) => {
    const store = await make();
    t.equal(positions(await store.add(part('m3', 3))), 1);
    t.equal(positions(await store.add(part('m1', 1))), 2);
    const done = await store.add(part('m2', 2));
    t.same(positions(done), ['m1:1', 'm2:2', 'm3:3']);
    t.same(done.complete && done.parts[0]?.fields, { message_id: 'm1', text: 'part 1 ✔' });
    t.same(done.complete && done.parts[0]?.received_at, AT);
  });

  t.test('a retried part: waiting stays waiting, a part of a whole message gives the whole again', async (t) => {
    const store = await make();
    await store.add(part('r1', 1));
    t.equal(positions(await store.add(part('r1', 1))), 1, 'not stored twice');
    await store.add(part('r2', 2));
    t.same(positions(await store.add(part('r3', 3))), ['r1:1', 'r2:2', 'r3:3']);
    t.same(positions(await store.add(part('r2', 2))), ['r1:1', 'r2:2', 'r3:3']);
  });

  t.test('the reference reused later is another message', async (t) => {
    const store = await make();
    for (const [id, n] of [
      ['a1', 1],
      ['a2', 2],
      ['a3', 3],
    ] as const)
      await store.add(part(id, n));
    t.equal(positions(await store.add(part('b1', 1))), 1, 'not mixed with the finished one');
    await store.add(part('b3', 3));
    t.same(positions(await store.add(part('b2', 2))), ['b1:1', 'b2:2', 'b3:3']);
  });

  t.test('same reference from another sender, or another total, is another message', async (t) => {
    const store = await make();
    await store.add(part('x1', 1));
    await store.add(part('x2', 2));
    t.equal(positions(await store.add(part('y3', 3, { sender: '+33699999999' }))), 1);
    t.equal(positions(await store.add(part('z3', 3, { total: 4 }))), 1);
  });

  t.test('two messages reusing a reference at once: first arrival of each position wins', async (t) => {
    const store = await make();
    await store.add(part('p1', 1, { total: 2 }));
    await store.add(part('q1', 1, { total: 2 }));
    t.same(positions(await store.add(part('p2', 2, { total: 2 }))), ['p1:1', 'p2:2']);
    t.same(positions(await store.add(part('q2', 2, { total: 2 }))), ['q1:1', 'q2:2']);
  });

  t.test('parts join only within the window; the stale ones are read as they are, once', async (t) => {
    const store = await make();
    const stale = new Date(AT.getTime() - PARTS_WINDOW_MS - 1000);
    // The review's attack: part 2/2 of ref G stays; a later message reuses G for its part 1.
    t.match(await store.add(part('old2', 2, { ref: 'G', total: 2, received_at: stale, fields: { text: 'STOP' } })), {
      complete: false,
      open: 1,
    });
    t.match(
      await store.add(part('new1', 1, { ref: 'G', total: 2 })),
      { complete: false, received: 1 },
      'not joined with the stale part',
    );
    t.match(
      await store.add(part('b1', 1, { ref: 'B', total: 2 })),
      { open: 2 },
      'open messages of the sender (by reference)',
    );
    t.match(await store.add(part('o1', 1, { ref: 'B', total: 2, sender: '+33699999999' })), { open: 1 }, 'per sender');
    const expired = await store.expire({ before: AT });
    t.same(
      expired.map((group) => group.map((p) => `${p.message_id}:${p.part}/${p.total}`)),
      [['old2:2/2']],
      'only what is past the window',
    );
    t.same(await store.expire({ before: AT }), [], 'each once');
    const now = new Date(AT.getTime() + 1);
    const mine = await store.expire({ before: now, provider: 'vonage', sender: '+33612345678', exceptRef: 'B' });
    t.same(
      mine.map((group) => group.map((p) => p.message_id)),
      [['new1']],
      "one sender's, but the message being received",
    );
    t.match(
      await store.add(part('new2', 2, { ref: 'G', total: 2 })),
      { complete: false },
      'an expired message is never joined again',
    );
    const rest = await store.expire({ before: now });
    t.same(rest.map((group) => group.map((p) => p.message_id)).sort(), [['b1'], ['new2'], ['o1']]);
  });

  t.test('parts arriving together: exactly one call completes the message', async (t) => {
    const store = await make();
    const ids = Array.from({ length: 6 }, (_, i) => part(`c${i + 1}`, i + 1, { total: 6, ref: 'C' }));
    const outcomes = await Promise.all(ids.map((p) => store.add(p)));
    t.equal(outcomes.filter((o) => o.complete).length, 1);
  });
}

t.test('in-memory', async (t) => partStoreContract(t, async () => new InMemoryPartStore()));

t.test('pglite (embedded)', async (t) => {
  const db = await createPgliteDatabase<Database>(null);
  await migrateToLatest(db);
  t.teardown(() => db.destroy());
  const store = new KyselyPartStore(db);
  partStoreContract(t, async () => {
    await sql`truncate message_parts restart identity`.execute(db);
    return store;
  });
});

t.test('postgres', async (t) => {
  const { db } = await createMigratedDatabase(t);
  const store = new KyselyPartStore(db);
  partStoreContract(t, async () => {
    await sql`truncate message_parts restart identity`.execute(db);
    return store;
  });
});
