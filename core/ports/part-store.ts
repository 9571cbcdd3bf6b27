import type { RawFields } from '../inbound-message.js';

/** One part of a message the provider delivered in several webhook calls (concatenated SMS). */
export interface MessagePart {
  readonly provider: string;
  /** The provider's id of this part: the part's own idempotency key. */
  readonly message_id: string;
  readonly sender: string;
  readonly recipient: string;
  /** The reference every part of the same message shares (per sender, reused over time). */
  readonly ref: string;
  readonly total: number;
  /** 1-based position. */
  readonly part: number;
  /** The part's webhook fields as received. */
  readonly fields: RawFields;
  readonly received_at: Date;
}

export type PartOutcome =
  /** `open`: how many messages of this sender wait for parts (this one included). */
  | { readonly complete: false; readonly received: number; readonly open: number }
  /** Every part, in order: on the call that completed the message, and on any retry of one of them. */
  | { readonly complete: true; readonly parts: readonly MessagePart[] };

/** Which waiting parts to give up on (`expire`). */
export interface ExpireRequest {
  /** Parts received before this time. */
  readonly before: Date;
  /** Only this sender's parts (with `provider`), except those of the message `exceptRef`. */
  readonly provider?: string;
  readonly sender?: string;
  readonly exceptRef?: string;
}

/** Durable storage of message parts until the whole message can be read. */
export interface PartStore {
  /**
   * Stores a part (a known `provider` + `message_id` is not stored twice) and tells whether its
   * message is now complete, joining only parts received within `PARTS_WINDOW_MS` of it. Parts of
   * one message may arrive in any order and concurrently: exactly the call that stores the last
   * missing part sees it complete first.
   */
  add(part: MessagePart): Promise<PartOutcome>;
  /**
   * Closes the incomplete messages whose parts match `request`: each comes back once, as the parts
   * received (in order, the first arrival of each position), and is never joined again.
   */
  expire(request: ExpireRequest): Promise<MessagePart[][]>;
}
