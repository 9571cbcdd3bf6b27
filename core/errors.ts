/**
 * Failures that are not the caller's mistake, classified where they happen so that each has its
 * own log line, status and metric: the storage refused or did not answer (503, retry later), the
 * request ran out of time (503), a stored message's reply could not be queued (503: the provider's
 * retry is a duplicate that queues it). Anything else that escapes a use case is a bug (500).
 */
export class StorageError extends Error {
  readonly code = 'ERR_STORAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export class DeadlineError extends Error {
  readonly code = 'ERR_DEADLINE';
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

/** The message is stored, its reply is not queued yet. */
export class OutboxError extends Error {
  readonly code = 'ERR_OUTBOX';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutboxError';
  }
}

/** A reply the provider did not take; `retryable` when trying again later may work. */
export class ReplyError extends Error {
  readonly code = 'ERR_REPLY';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ReplyError';
  }
}

/** Why a webhook was not acknowledged, when it is not the caller's mistake (a metric label). */
export type FailureCause = 'storage' | 'deadline' | 'outbox' | 'bug';

/** The cause of a failure that escaped a use case. */
export function failureCause(error: unknown): FailureCause {
  if (error instanceof StorageError) return 'storage';
  if (error instanceof DeadlineError) return 'deadline';
  if (error instanceof OutboxError) return 'outbox';
  return 'bug';
}

/** Runs `work`, turning any failure into a StorageError (the adapters' boundary with their database). */
export async function storage<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw new StorageError(`${what} failed`, { cause });
  }
}
