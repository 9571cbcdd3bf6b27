import type { InboundMessage, ProviderKeyword, RawFields } from '../inbound-message.js';

export type ListenResult =
  | {
      readonly kind: 'message';
      /** The normalized message; `campaign_id` is null until the repository resolves it. */
      readonly message: InboundMessage;
      /** Set when the provider already handled a STOP/START/HELP keyword and replied itself. */
      readonly providerKeyword: ProviderKeyword | null;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

/** What the provider expects back from the webhook. */
export interface ProviderAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

/** Turns one provider's webhook fields into an inbound message, and our reply into its answer. */
export interface ResponseListener {
  /** Provider name, also the `provider` of every message it produces. */
  readonly provider: string;
  /** Validates and normalizes the fields of one webhook call. */
  listen(fields: RawFields, receivedAt: Date): ListenResult;
  /** The webhook answer that acknowledges a stored message, carrying `reply` when there is one. */
  answer(reply: string | null): ProviderAnswer;
}
