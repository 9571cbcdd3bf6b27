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

/**
 * Fields with U+0000 written as the six characters `\u0000`: Postgres text and jsonb cannot hold
 * the NUL character, and a message it refuses would be refused on every retry.
 */
export function escapeNul(fields: RawFields): RawFields {
  let found = false;
  for (const key in fields) {
    const value = fields[key] as string | readonly string[];
    if (typeof value === 'string' ? value.includes('\u0000') : value.some((one) => one.includes('\u0000')))
      found = true;
  }
  if (!found) return fields;
  const escape = (value: string) => value.replaceAll('\u0000', '\\u0000');
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? escape(value) : value.map(escape)]),
  );
}

/** The message storable as received: U+0000 in its text becomes U+FFFD, its raw fields are escaped. */
export function withoutNul(message: InboundMessage): InboundMessage {
  const raw_data = escapeNul(message.raw_data);
  if (!message.content.includes('\u0000') && raw_data === message.raw_data) return message;
  return { ...message, content: message.content.replaceAll('\u0000', '\uFFFD'), raw_data };
}
