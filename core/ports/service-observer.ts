import type { FailureCause } from '../errors.js';

/** What the service reports as it works, for metrics. */
export interface ServiceObserver {
  /** One answered request: `route` is a known path or "other" (never the raw URL). */
  request(route: string, status: number, seconds: number): void;
  signatureFailure(provider: string): void;
  /** A message stored for the first time, with what it was read as and what it triggered. */
  stored(provider: string, intent: string, action: string): void;
  /** A change of permission appended to the ledger, by event and source. */
  consent(event: string, source: string): void;
  /** The compliance clock: seconds from an opt-out reply's arrival to its suppression being stored. */
  optOutStored(seconds: number): void;
  /** A delivery receipt stored, by provider, status and error code ("none"). */
  delivery(provider: string, status: string, errorCode: string | null): void;
  /** The database failed or was too slow: a webhook answered 503 or readiness failed. */
  databaseError(): void;
  /** A webhook not acknowledged for a reason of ours. */
  webhookError(cause: FailureCause): void;
  /** The exposition served at `GET /metrics`. */
  exposition(): Promise<{ contentType: string; body: string }>;
}
