/** Form or query fields exactly as received: a repeated key keeps every value in order. */
export type RawFields = Readonly<Record<string, string | readonly string[]>>;

/** An inbound SMS normalized by a provider's listener, whatever the provider. */
export interface InboundMessage {
  readonly source: 'sms';
  /** Provider that delivered it (`twilio`, `vonage`, ...). */
  readonly provider: string;
  /** The provider's unique id for the message (Twilio `MessageSid`): the idempotency key. */
  readonly message_id: string;
  readonly sender: string;
  readonly recipient: string;
  readonly content: string;
  /** Campaign of the sender's lead, from our own records; null when the sender is unknown. */
  readonly campaign_id: string | null;
  readonly received_at: Date;
  readonly extracted_data: Readonly<Record<string, unknown>>;
  readonly raw_data: RawFields;
}

/** What a provider already did about a keyword before calling us (Twilio Advanced Opt-Out). */
export type ProviderKeyword = 'opt_out' | 'opt_in' | 'help';
