/**
 * Twilio's inbound SMS webhook (Messaging): a POST with form fields such as
 *
 *   ToCountry=FR&ToState=&SmsMessageSid=SM0f3b1c2d4e5f60718293a4b5c6d7e8f9&NumMedia=0&ToCity=
 *   &FromZip=&SmsSid=SM0f3b1c2d4e5f60718293a4b5c6d7e8f9&FromState=&SmsStatus=received&FromCity=
 *   &Body=Oui%2C+rappelez-moi+demain&FromCountry=FR&To=%2B33757000001&ToZip=&NumSegments=1
 *   &MessageSid=SM0f3b1c2d4e5f60718293a4b5c6d7e8f9&AccountSid=AC00000000000000000000000000000000
 *   &From=%2B33612345678&ApiVersion=2010-04-01
 *
 * answered with TwiML (`text/xml`), optionally with a <Message> that Twilio texts back.
 */
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse.js';
import type { ProviderKeyword, RawFields } from '../../core/inbound-message.js';
import type { ListenResult, ProviderAnswer, ResponseListener } from '../../core/ports/response-listener.js';

const REQUIRED = ['MessageSid', 'From', 'To', 'Body'] as const;

const OPT_OUT_TYPES: Record<string, ProviderKeyword> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

const EMPTY_TWIML = new MessagingResponse().toString();

/** Replies come from a few templates: each one's TwiML is built once (up to this many kept). */
const CACHED_REPLIES = 64;

export class TwilioResponseListener implements ResponseListener {
  readonly provider = 'twilio';

  listen(fields: RawFields, receivedAt: Date): ListenResult {
    const values: Partial<Record<(typeof REQUIRED)[number], string>> = {};
    for (const name of REQUIRED) {
      const value = fields[name];
      if (value === undefined) return { kind: 'invalid', reason: `missing field ${name}` };
      if (typeof value !== 'string') return { kind: 'invalid', reason: `field ${name} is repeated` };
      // An empty Body is a message without text (an MMS); an empty id or number is no message.
      if (value.length === 0 && name !== 'Body') return { kind: 'invalid', reason: `empty field ${name}` };
      values[name] = value;
    }
    const optOutType = single(fields['OptOutType'])?.toUpperCase();
    const extracted: Record<string, unknown> = {};
    if (optOutType) extracted['opt_out_type'] = optOutType;
    const media = mediaOf(fields);
    if (media.length > 0) extracted['media'] = media;
    return {
      kind: 'message',
      providerKeyword: (optOutType && OPT_OUT_TYPES[optOutType]) || null,
      message: {
        source: 'sms',
        provider: this.provider,
        message_id: values.MessageSid as string,
        sender: values.From as string,
        recipient: values.To as string,
        content: values.Body as string,
        campaign_id: null,
        received_at: receivedAt,
        extracted_data: extracted,
        raw_data: fields,
      },
    };
  }

  private readonly replies = new Map<string, string>();

  answer(reply: string | null): ProviderAnswer {
    let body = reply === null ? EMPTY_TWIML : this.replies.get(reply);
    if (body === undefined) {
      const twiml = new MessagingResponse();
      twiml.message(reply as string);
      body = twiml.toString();
      if (this.replies.size < CACHED_REPLIES) this.replies.set(reply as string, body);
    }
    return { status: 200, contentType: 'text/xml; charset=utf-8', body };
  }
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** `MediaUrl{N}` / `MediaContentType{N}`, zero-based, for N below `NumMedia`. */
function mediaOf(fields: RawFields): { url: string; content_type: string | null }[] {
  const count = Number.parseInt(single(fields['NumMedia']) ?? '0', 10);
  const media: { url: string; content_type: string | null }[] = [];
  for (let i = 0; i < Math.min(count, 10); i++) {
    const url = single(fields[`MediaUrl${i}`]);
    if (url !== undefined) media.push({ url, content_type: single(fields[`MediaContentType${i}`]) ?? null });
  }
  return media;
}
