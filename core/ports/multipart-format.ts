import type { InboundMessage, RawFields } from '../inbound-message.js';
import type { MessagePart } from './part-store.js';

/** Where a message sits in a longer one. */
export interface PartPosition {
  readonly ref: string;
  readonly total: number;
  readonly part: number;
}

/** How one provider marks and joins the parts of a concatenated message. */
export interface MultipartFormat {
  /** The message's position in a longer one, or null for a message that came whole. */
  partOf(message: InboundMessage): PartPosition | null;
  /** The fields of the whole message, from its parts in order: what the listener then reads. */
  join(parts: readonly MessagePart[]): RawFields;
}
