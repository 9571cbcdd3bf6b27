import type { RawFields } from './inbound-message.js';

/**
 * Where a message we sent stands, whatever the provider: its own statuses are mapped to these by
 * its receipt listener. `queued` < `sending` < `sent` < a terminal one (`delivered`, `undelivered`,
 * `failed`): a receipt of a lower rank never takes a message back (callbacks arrive out of order).
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export const DELIVERY_RANK: Readonly<Record<DeliveryStatus, number>> = {
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
};

/**
 * What an error code says about the number (README, "Delivery receipts"): `opted_out` the
 * recipient said STOP to the provider; `unreachable` the number cannot receive SMS (suppressed at
 * once); `temporary` suppressed after `TEMPORARY_FAILURES_TO_SUPPRESS` within
 * `TEMPORARY_FAILURES_WINDOW_DAYS`; `content` the carrier filtered our content: never the number's
 * fault, counted per campaign.
 */
export type ErrorClass = 'opted_out' | 'unreachable' | 'temporary' | 'content';

export const TEMPORARY_FAILURES_TO_SUPPRESS = 3;
export const TEMPORARY_FAILURES_WINDOW_DAYS = 30;

/** One delivery receipt, normalized by the provider's receipt listener. */
export interface DeliveryReceipt {
  readonly provider: string;
  /** The provider's id of the message we sent. */
  readonly message_id: string;
  /** The prospect, in E.164. */
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly error_code: string | null;
  /** What the error means for the number; null without an error or for a code not in the table. */
  readonly error_class: ErrorClass | null;
  readonly received_at: Date;
  readonly raw_data: RawFields;
}
