/**
 * Failures that are not the caller's mistake, classified where they happen so that each has its
 * own log line, status and metric: the storage refused or did not answer (503, retry later), the
 * request ran out of time (503). Anything else that escapes a use case is a bug (500).
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

/** Runs `work`, turning any failure into a StorageError (the adapters' boundary with their database). */
export async function storage<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw new StorageError(`${what} failed`, { cause });
  }
}
