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
  /** `open`: how many messages of this sender wait for parts (this one included). */
  | { readonly complete: false; readonly received: number; readonly open: number }
  /** Every part, in order: on the call that completed the message, and on any retry of one of them. */
  | { readonly complete: true; readonly parts: readonly MessagePart[] };

/**
 * Parts join only within this window of each other. The parts of a message are sent together and
 * normally arrive within seconds; ten minutes leaves room for a slow or retried delivery, while a
 * reference the sender reuses (`concat-ref` is a small number) for a later message cannot pick up
 * a stale part of an earlier one. After an outage Vonage resends unacknowledged webhooks for 24 h:
 * a part that comes that late is read on its own, flagged incomplete, rather than held for a day.
 */
export const PARTS_WINDOW_MS = 10 * 60_000;

/** At most this many incomplete messages wait per sender; past it, the oldest are read as they are. */
export const MAX_OPEN_MESSAGES = 8;

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
   * Stores a part (a known `provider` + `messageId` is not stored twice) and tells whether its
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

/** Waiting parts grouped by message (provider, sender, recipient, ref, total), each group's first arrival per position. */
export function openMessages<P extends MessagePart>(parts: readonly P[]): P[][] {
  const groups = new Map<string, Map<number, P>>();
  for (const part of parts) {
    const key = [part.provider, part.sender, part.recipient, part.ref, part.total].join('\u0000');
    const group = groups.get(key) ?? new Map<number, P>();
    if (!group.has(part.part)) group.set(part.part, part);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => [...group.values()].sort((a, b) => a.part - b.part));
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
