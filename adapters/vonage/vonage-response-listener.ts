/**
 * Vonage's inbound SMS webhook (SMS API), sent as a GET with query parameters or a POST form:
 *
 *   msisdn=33612345678&to=33757000002&messageId=0A0000001234ABCD&text=Oui+rappelez-moi
 *   &type=text&keyword=OUI&message-timestamp=2026-11-25+09%3A12%3A40
 *   &timestamp=1795597960&nonce=3f2a…&sig=…
 *
 * with `concat`, `concat-ref`, `concat-total` and `concat-part` when the text came in several parts.
 * Vonage expects a 200 or 204; a reply is sent through its API (outbox), never in the answer.
 */
import type { RawFields } from '../../core/inbound-message.js';
import type { ListenResult, ProviderAnswer, ResponseListener } from '../../core/ports/response-listener.js';

const REQUIRED = ['messageId', 'msisdn', 'to', 'type'] as const;
const TYPES = new Set(['text', 'unicode', 'binary']);
/**
 * The shapes of what Vonage sends, checked as Twilio's are: parameter names are letters, digits
 * and hyphens (`message-timestamp`, `concat-ref`); ids are letters, digits and hyphens; `msisdn` is
 * a number in international form without `+` or an alphanumeric sender; `to` is our number.
 */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;
const SHAPES: Readonly<Record<string, RegExp>> = {
  messageId: /^[0-9A-Za-z-]{1,40}$/,
  msisdn: /^(?:\d{3,15}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
  to: /^\d{3,15}$/,
  'concat-ref': /^\d{1,5}$/,
};

/** Where a part sits in a concatenated message, from the `concat-*` parameters. */
export interface ConcatInfo {
  readonly ref: string;
  readonly total: number;
  readonly part: number;
}

export class VonageResponseListener implements ResponseListener {
  readonly provider = 'vonage';

  listen(fields: RawFields, receivedAt: Date): ListenResult {
    const name = Object.keys(fields).find((key) => !PARAMETER_NAME.test(key));
    if (name !== undefined)
      return { kind: 'invalid', reason: `parameter name ${JSON.stringify(name.slice(0, 40))} is not one Vonage sends` };
    for (const [field, shape] of Object.entries(SHAPES)) {
      const value = fields[field];
      if (typeof value === 'string' && value !== '' && !shape.test(value))
        return { kind: 'invalid', reason: `field ${field} is not in Vonage's format` };
    }
    const values: Partial<Record<string, string>> = {};
    for (const name of [...REQUIRED, 'text', 'keyword', 'message-timestamp', 'data', 'udh', 'concat']) {
      const value = fields[name];
      if (typeof value === 'string') values[name] = value;
      else if (value !== undefined) return { kind: 'invalid', reason: `field ${name} is repeated` };
    }
    for (const name of REQUIRED) {
      if (values[name] === undefined) return { kind: 'invalid', reason: `missing field ${name}` };
      if (values[name] === '') return { kind: 'invalid', reason: `empty field ${name}` };
    }
    const type = values['type'] as string;
    if (!TYPES.has(type)) return { kind: 'invalid', reason: `unknown message type ${type}` };
    if (type !== 'binary' && values['text'] === undefined) return { kind: 'invalid', reason: 'missing field text' };

    const extracted: Record<string, unknown> = { message_type: type };
    if (values['keyword'] !== undefined) extracted['keyword'] = values['keyword'];
    if (values['message-timestamp'] !== undefined) extracted['provider_timestamp'] = values['message-timestamp'];
    // A binary message has no text: it is stored for a person to look at, with its data.
    if (type === 'binary') extracted['binary'] = { data: values['data'] ?? '', udh: values['udh'] ?? '' };
    // Parts read as they were when the others never came (AssemblingReceiver.expireStale).
    if (typeof fields['incomplete'] === 'string') extracted['incomplete'] = fields['incomplete'];
    if (values['concat'] === 'true') {
      const concat = concatOf(fields);
      if (concat === null) return { kind: 'invalid', reason: 'invalid concat-ref, concat-total or concat-part' };
      extracted['concat'] = concat;
    }
    return {
      kind: 'message',
      providerKeyword: null,
      message: {
        source: 'sms',
        provider: this.provider,
        message_id: values['messageId'] as string,
        sender: e164(values['msisdn'] as string),
        recipient: e164(values['to'] as string),
        content: type === 'binary' ? '' : (values['text'] as string),
        campaign_id: null,
        received_at: receivedAt,
        extracted_data: extracted,
        raw_data: fields,
      },
    };
  }

  answer(): ProviderAnswer {
    return { status: 200, contentType: null, body: '' };
  }
}

/** The part's position, or null when the `concat-*` parameters are missing or inconsistent. */
export function concatOf(fields: RawFields): ConcatInfo | null {
  const ref = fields['concat-ref'];
  const total = Number(fields['concat-total']);
  const part = Number(fields['concat-part']);
  if (typeof ref !== 'string' || ref === '' || typeof fields['concat-total'] !== 'string') return null;
  if (typeof fields['concat-part'] !== 'string') return null;
  if (!Number.isInteger(total) || !Number.isInteger(part) || total < 1 || total > 255 || part < 1 || part > total) {
    return null;
  }
  return { ref, total, part };
}

/** Vonage writes numbers in international form without the `+` (`33612345678`); ours have it. */
function e164(number: string): string {
  return /^\d{6,15}$/.test(number) ? `+${number}` : number;
}
