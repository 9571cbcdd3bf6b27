import type { MessagePart } from './ports/part-store.js';

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
