import type { MessagePart, PartOutcome, PartStore } from './part-store.js';
import { completeGroup } from './part-store.js';

/** Parts in memory, for tests. Same behaviour as the database store. */
export class InMemoryPartStore implements PartStore {
  private readonly parts: { part: MessagePart; group: string | null }[] = [];

  async add(part: MessagePart): Promise<PartOutcome> {
    const known = this.parts.find((p) => p.part.provider === part.provider && p.part.messageId === part.messageId);
    if (known?.group) return { complete: true, parts: this.group(known.group) };
    if (known === undefined) this.parts.push({ part, group: null });
    const waiting = this.parts.filter(
      (p) =>
        p.group === null &&
        p.part.provider === part.provider &&
        p.part.sender === part.sender &&
        p.part.recipient === part.recipient &&
        p.part.ref === part.ref &&
        p.part.total === part.total,
    );
    const group = completeGroup(
      waiting.map((p) => p.part),
      part.total,
    );
    if (group === null) return { complete: false, received: new Set(waiting.map((p) => p.part.part)).size };
    const key = `${part.provider}:${(group[0] as MessagePart).messageId}`;
    for (const entry of waiting) if (group.includes(entry.part)) entry.group = key;
    return { complete: true, parts: group };
  }

  private group(key: string): MessagePart[] {
    return this.parts
      .filter((p) => p.group === key)
      .map((p) => p.part)
      .sort((a, b) => a.part - b.part);
  }
}
