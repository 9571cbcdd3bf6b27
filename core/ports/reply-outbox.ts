/** A reply to send through a provider's API (providers that take no reply in the webhook answer). */
export interface OutboundReply {
  readonly provider: string;
  /** The id of our stored message it answers: one reply per message, whatever the retries. */
  readonly inbound_message_id: string;
  /** The prospect. */
  readonly to: string;
  /** Our number the prospect wrote to. */
  readonly from: string;
  readonly text: string;
}

/** Durable queue of replies: once `enqueue` resolves, the reply will be sent (and retried). */
export interface ReplyOutbox {
  /** Queues the reply; queuing the same `provider` + `inbound_message_id` again does nothing. */
  enqueue(reply: OutboundReply): Promise<void>;
}
