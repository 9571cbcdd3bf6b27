import type { RawFields } from '../../core/inbound-message.js';

/** One part of a message the provider delivered in several webhook calls (concatenated SMS). */
export interface MessagePart {
  readonly provider: string;
  /** The provider's id of this part: the part's own idempotency key. */
  readonly messageId: string;
  readonly sender: string;
  readonly recipient: string;
  /** The reference every part of the same message shares (per sender, reused over time). */
  readonly ref: string;
  readonly total: number;
  /** 1-based position. */
  readonly part: number;
  /** The part's webhook fields as received. */
  readonly fields: RawFields;
  readonly receivedAt: Date;
}

export type PartOutcome =
  | { readonly complete: false; readonly received: number }
  /** Every part, in order: on the call that completed the message, and on any retry of one of them. */
  | { readonly complete: true; readonly parts: readonly MessagePart[] };

/** Durable storage of message parts until the whole message can be read. */
export interface PartStore {
  /**
   * Stores a part (a known `provider` + `messageId` is not stored twice) and tells whether its
   * message is now complete. Parts of one message may arrive in any order and concurrently: exactly
   * the call that stores the last missing part sees it complete first.
   */
  add(part: MessagePart): Promise<PartOutcome>;
}

/** The parts of one message, or null when `parts` (same sender, recipient, ref and total) miss one. */
export function completeGroup<P extends Pick<MessagePart, 'part' | 'total'>>(
  parts: readonly P[],
  total: number,
): P[] | null {
  const byPosition = new Map<number, P>();
  // The first arrival of each position wins: a later one with the same position is another message
  // that reuses the reference, and waits for its own other parts.
  for (const part of parts) if (!byPosition.has(part.part)) byPosition.set(part.part, part);
  if (byPosition.size !== total) return null;
  return [...byPosition.keys()].sort((a, b) => a - b).map((position) => byPosition.get(position) as P);
}
