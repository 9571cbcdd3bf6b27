/** A reply to send through a provider's API (providers that take no reply in the webhook answer). */
export interface OutboundReply {
  readonly provider: string;
  /** Our stored message's id: one reply per message, whatever the retries. */
  readonly messageKey: string;
  /** The prospect. */
  readonly to: string;
  /** Our number the prospect wrote to. */
  readonly from: string;
  readonly text: string;
}

/** Durable queue of replies: once `enqueue` resolves, the reply will be sent (and retried). */
export interface ReplyOutbox {
  /** Queues the reply; queuing the same `provider` + `messageKey` again does nothing. */
  enqueue(reply: OutboundReply): Promise<void>;
}

/** Sends one reply through a provider's API. */
export interface ReplySender {
  /** Resolves once the provider accepted the reply; rejects with a ReplyError otherwise. */
  send(reply: OutboundReply): Promise<void>;
}

/** A reply the provider did not take; `retryable` when trying again later may work. */
export class ReplyError extends Error {
  readonly code = 'ERR_REPLY';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ReplyError';
  }
}
