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

/**
 * Twilio signs `url + key1 + value1 + key2 + value2…` with no separators, so text can be moved
 * between a key and a value without changing the signature (`MessageSid=<sid>NumMedia0` with no
 * `NumMedia`). Every field the service relies on is therefore checked for its exact shape, and a
 * parameter name Twilio would never send (anything but letters and digits) refuses the request.
 */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const SID = /^[A-Z]{2}[0-9a-f]{32}$/;
const SIDS = ['MessageSid', 'SmsSid', 'SmsMessageSid', 'AccountSid', 'MessagingServiceSid'] as const;
/** E.164, a short code, or an alphanumeric sender ID (letters required, 11 characters at most). */
const ADDRESS = /^(?:\+[1-9]\d{1,14}|\d{3,8}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

export interface TwilioListenerOptions {
  /** `TWILIO_SID`: when set, a request for another account is refused. */
  readonly accountSid?: string | null;
  /** Our numbers (`TWILIO_PHONE`): when set, a message to another number is refused. */
  readonly numbers?: readonly string[];
}

const OPT_OUT_TYPES: Record<string, ProviderKeyword> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

const EMPTY_TWIML = new MessagingResponse().toString();

/** Replies come from a few templates: each one's TwiML is built once (up to this many kept). */
const CACHED_REPLIES = 64;

export class TwilioResponseListener implements ResponseListener {
  readonly provider = 'twilio';

  constructor(private readonly options: TwilioListenerOptions = {}) {}

  listen(fields: RawFields, receivedAt: Date): ListenResult {
    const invalid = this.shapeError(fields);
    if (invalid !== null) return { kind: 'invalid', reason: invalid };
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

  /** Why the fields cannot be Twilio's, or null. */
  private shapeError(fields: RawFields): string | null {
    const name = Object.keys(fields).find((key) => !PARAMETER_NAME.test(key));
    if (name !== undefined) return `parameter name ${JSON.stringify(name.slice(0, 40))} is not one Twilio sends`;
    for (const sid of SIDS) {
      const value = fields[sid];
      if (typeof value === 'string' && value !== '' && !SID.test(value)) return `field ${sid} is not a Twilio SID`;
    }
    for (const address of ['From', 'To'] as const) {
      const value = fields[address];
      if (typeof value === 'string' && value !== '' && !ADDRESS.test(value)) {
        return `field ${address} is not a phone number, short code or sender ID`;
      }
    }
    const { accountSid, numbers = [] } = this.options;
    if (accountSid && fields['AccountSid'] !== accountSid) return 'AccountSid is not this account';
    if (numbers.length > 0 && !numbers.includes(fields['To'] as string)) return 'To is not one of our numbers';
    return null;
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
