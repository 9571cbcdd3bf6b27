import type { DeliveryReceipt } from '../delivery.js';
import type { RawFields } from '../inbound-message.js';

export type ReceiptListenResult =
  | { readonly kind: 'receipt'; readonly receipt: DeliveryReceipt }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Turns one provider's delivery receipt (status callback) into a DeliveryReceipt. */
export interface DeliveryListener {
  readonly provider: string;
  /** Validates and normalizes one callback: its status mapped, its error code classified. */
  listen(fields: RawFields, receivedAt: Date): ReceiptListenResult;
}
