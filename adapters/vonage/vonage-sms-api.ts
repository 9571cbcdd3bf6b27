import { ReplyError } from '../../core/errors.js';
import type { OutboundReply } from '../../core/ports/reply-outbox.js';
import type { ReplySender } from '../../core/ports/reply-sender.js';

export interface VonageApiOptions {
  readonly apiKey: string | null;
  readonly apiSecret: string | null;
  /** `https://rest.nexmo.com` (tests: a local fake). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

/** What the SMS API answers: a status per part ("0": accepted). */
interface VonageAnswer {
  readonly messages?: readonly { readonly status?: unknown; readonly 'error-text'?: unknown }[];
}

/** Vonage statuses worth trying again later: 1 throttled, 5 internal error. */
const RETRYABLE_STATUSES = new Set(['1', '5']);

/**
 * Sends a reply with the SMS API (`POST /sms/json`, JSON body with `api_key`, `api_secret`,
 * `from`, `to`, `text`, `type`). Vonage answers 200 with a status per part: "0" is accepted.
 */
export class VonageSmsApi implements ReplySender {
  constructor(private readonly options: VonageApiOptions) {}

  async send(reply: OutboundReply): Promise<void> {
    const { apiKey, apiSecret, baseUrl, timeoutMs } = this.options;
    if (apiKey === null || apiSecret === null) {
      throw new ReplyError('VONAGE_API_KEY and VONAGE_API_SECRET are not set', false);
    }
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/sms/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          api_key: apiKey,
          api_secret: apiSecret,
          from: reply.from.replace(/^\+/, ''),
          to: reply.to.replace(/^\+/, ''),
          text: reply.text,
          type: 'unicode',
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ReplyError(`Vonage API unreachable: ${(error as Error).message}`, true);
    }
    if (!res.ok) {
      throw new ReplyError(`Vonage API answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    }
    const body = (await res.json().catch(() => null)) as VonageAnswer | null;
    const messages = Array.isArray(body?.messages) ? body.messages : [];
    if (messages.length === 0) throw new ReplyError('Vonage API answered without a message status', true);
    const refused = messages.find((message) => message.status !== '0');
    if (refused !== undefined) {
      const status = String(refused.status);
      throw new ReplyError(
        `Vonage refused the reply: status ${status} (${String(refused['error-text'] ?? 'no reason given')})`,
        RETRYABLE_STATUSES.has(status),
      );
    }
  }
}
