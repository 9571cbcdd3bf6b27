export interface WriteBatcherOptions<T, R> {
  /** Writes the items in one statement; resolves to one result per item, in order. */
  readonly write: (items: readonly T[]) => Promise<readonly R[]>;
  /** Items that share a key never go in the same batch, nor in two batches at once. */
  readonly keysOf: (item: T) => readonly string[];
  /** Batches written at the same time. */
  readonly concurrency: number;
  /** Items in one batch at most. */
  readonly maxBatch: number;
}

interface Pending<T, R> {
  readonly item: T;
  readonly keys: readonly string[];
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for the webhook's writes. An item is written at once while fewer than
 * `concurrency` batches are being written; otherwise it waits, and the items that waited go
 * together in the next batch. A burst then costs one statement, one commit and one round trip per
 * batch instead of per item, and a quiet service writes each item alone with no added delay.
 *
 * Each caller's promise settles only when its own batch has committed or failed, so nothing is
 * acknowledged before it is stored. A batch that fails is written again item by item, so that one
 * bad item (or a deadlock between batches) fails only its own caller.
 */
export class WriteBatcher<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  /** Keys of the items being written. */
  private readonly busy = new Set<string>();
  private writing = 0;

  constructor(private readonly options: WriteBatcherOptions<T, R>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, keys: this.options.keysOf(item), resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.writing < this.options.concurrency) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.writing += 1;
      void this.write(batch).finally(() => {
        this.writing -= 1;
        for (const pending of batch) for (const key of pending.keys) this.busy.delete(key);
        this.drain();
      });
    }
  }

  /** The waiting items, oldest first, whose keys are free; their keys become busy. */
  private take(): Pending<T, R>[] {
    const batch: Pending<T, R>[] = [];
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatch;) {
      const pending = this.queue[i]!;
      if (pending.keys.some((key) => this.busy.has(key))) {
        i += 1;
        continue;
      }
      for (const key of pending.keys) this.busy.add(key);
      batch.push(pending);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async write(batch: readonly Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.options.write(batch.map((pending) => pending.item));
      batch.forEach((pending, i) => pending.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(batch.map((pending) => this.write([pending])));
    }
  }
}
