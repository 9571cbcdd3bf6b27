import t from 'tap';
import { WriteBatcher } from '../adapters/postgres/write-batcher.js';

interface Item {
  readonly id: string;
  readonly key: string;
}

/** A batcher over a fake write that records its batches and finishes each when told. */
function harness(options: { concurrency: number; maxBatch: number; fails?: (items: readonly Item[]) => boolean }) {
  const batches: string[][] = [];
  const writing = new Set<string>();
  let mostAtOnce = 0;
  const pending: Array<() => void> = [];
  const batcher = new WriteBatcher<Item, string>({
    ...options,
    keysOf: (item) => [item.key],
    write: (items) =>
      new Promise((resolve, reject) => {
        batches.push(items.map((item) => item.id));
        for (const item of items) writing.add(item.id);
        mostAtOnce = Math.max(mostAtOnce, writing.size);
        pending.push(() => {
          for (const item of items) writing.delete(item.id);
          if (options.fails?.(items)) reject(new Error(`rejected ${items.map((item) => item.id).join(',')}`));
          else resolve(items.map((item) => `written ${item.id}`));
        });
      }),
  });
  /** Finishes the writes under way, then lets the batcher start the next ones. */
  const finish = async () => {
    for (const done of pending.splice(0)) done();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batcher, batches, finish, mostAtOnce: () => mostAtOnce };
}

const item = (id: string, key = id): Item => ({ id, key });

t.test('a lone item is written at once, alone', async (t) => {
  const { batcher, batches, finish } = harness({ concurrency: 1, maxBatch: 10 });
  const result = batcher.add(item('a'));
  t.same(batches, [['a']], 'no waiting for company');
  await finish();
  t.equal(await result, 'written a');
});

t.test('items that arrive during a write go together in the next one, oldest first, at most maxBatch', async (t) => {
  const { batcher, batches, finish } = harness({ concurrency: 1, maxBatch: 3 });
  const results = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => batcher.add(item(id)));
  t.same(batches, [['a']]);
  await finish();
  t.same(batches, [['a'], ['b', 'c', 'd']]);
  await finish();
  t.same(batches, [['a'], ['b', 'c', 'd'], ['e', 'f']]);
  await finish();
  t.same(await Promise.all(results), ['written a', 'written b', 'written c', 'written d', 'written e', 'written f']);
});

t.test('items that share a key are never in one batch, nor written at the same time', async (t) => {
  const { batcher, batches, finish, mostAtOnce } = harness({ concurrency: 2, maxBatch: 10 });
  const results = [item('a1', 'a'), item('b1', 'b'), item('a2', 'a'), item('c1', 'c'), item('a3', 'a')].map((i) =>
    batcher.add(i),
  );
  t.same(batches, [['a1'], ['b1']], 'two writes at once; a2 waits while a1 is written');
  await finish();
  t.same(batches.slice(2), [['a2', 'c1']], 'a2 once a1 is done; a3 not with it');
  await finish();
  t.same(batches.slice(3), [['a3']]);
  await finish();
  t.equal(mostAtOnce(), 2, 'never more than the concurrency');
  t.same(await Promise.all(results), ['written a1', 'written b1', 'written a2', 'written c1', 'written a3']);
});

t.test('a failed batch is written again item by item: only the bad item fails', async (t) => {
  const { batcher, batches, finish } = harness({
    concurrency: 1,
    maxBatch: 10,
    fails: (items) => items.some((i) => i.id === 'bad'),
  });
  const first = batcher.add(item('first'));
  const results = Promise.allSettled(['x', 'bad', 'y'].map((id) => batcher.add(item(id))));
  await finish();
  t.same(batches, [['first'], ['x', 'bad', 'y']]);
  await finish();
  t.same(batches.slice(2), [['x'], ['bad'], ['y']], 'each alone');
  const later = batcher.add(item('later'));
  t.equal(batches.length, 5, 'nothing new starts while the failed batch is written again');
  await finish();
  t.equal(await first, 'written first');
  t.match(await results, [
    { status: 'fulfilled', value: 'written x' },
    { status: 'rejected', reason: { message: 'rejected bad' } },
    { status: 'fulfilled', value: 'written y' },
  ]);
  t.same(batches.slice(5), [['later']]);
  await finish();
  t.equal(await later, 'written later');
});
