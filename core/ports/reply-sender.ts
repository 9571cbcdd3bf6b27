import type { OutboundReply } from './reply-outbox.js';

/** Sends one reply through a provider's API (the outbox's worker calls it). */
export interface ReplySender {
  /** Resolves once the provider accepted the reply; rejects with a ReplyError otherwise. */
  send(reply: OutboundReply): Promise<void>;
}
