import { completeGroup, openMessages, PARTS_WINDOW_MS } from '../../core/parts.js';
import type { ExpireRequest, MessagePart, PartOutcome, PartStore } from '../../core/ports/part-store.js';

/** Parts in memory, for tests. Same behaviour as the database store. */
export class InMemoryPartStore implements PartStore {
  private readonly parts: { part: MessagePart; group: string | null }[] = [];

  async add(part: MessagePart): Promise<PartOutcome> {
    const known = this.parts.find((p) => p.part.provider === part.provider && p.part.message_id === part.message_id);
    if (known?.group) return { complete: true, parts: this.group(known.group) };
    if (known === undefined) this.parts.push({ part, group: null });
    const since = part.received_at.getTime() - PARTS_WINDOW_MS;
    const waiting = this.parts.filter(
      (p) =>
        p.group === null &&
        p.part.provider === part.provider &&
        p.part.sender === part.sender &&
        p.part.recipient === part.recipient &&
        p.part.ref === part.ref &&
        p.part.total === part.total &&
        p.part.received_at.getTime() >= since,
    );
    const group = completeGroup(
      waiting.map((p) => p.part),
      part.total,
    );
    if (group === null) {
      const open = openMessages(
        this.parts
          .filter((p) => p.group === null && p.part.provider === part.provider && p.part.sender === part.sender)
          .map((p) => p.part),
      ).length;
      return { complete: false, received: new Set(waiting.map((p) => p.part.part)).size, open };
    }
    const key = `${part.provider}:${(group[0] as MessagePart).message_id}`;
    for (const entry of waiting) if (group.includes(entry.part)) entry.group = key;
    return { complete: true, parts: group };
  }

  async expire({ before, provider, sender, exceptRef }: ExpireRequest): Promise<MessagePart[][]> {
    const entries = this.parts.filter(
      ({ part, group }) =>
        group === null &&
        part.received_at < before &&
        (provider === undefined || part.provider === provider) &&
        (sender === undefined || part.sender === sender) &&
        (exceptRef === undefined || part.ref !== exceptRef),
    );
    const groups = openMessages(entries.map((entry) => entry.part));
    for (const group of groups) {
      const key = `${(group[0] as MessagePart).provider}:${(group[0] as MessagePart).message_id}`;
      for (const entry of entries) if (group.includes(entry.part)) entry.group = key;
    }
    return groups;
  }

  private group(key: string): MessagePart[] {
    return this.parts
      .filter((p) => p.group === key)
      .map((p) => p.part)
      .sort((a, b) => a.part - b.part);
  }
}
