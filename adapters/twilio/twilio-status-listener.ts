/**
 * Twilio's status callbacks for the messages we send (`StatusCallback`): a signed form POST per
 * change of status, such as
 *
 *   MessageSid=SM…&MessageStatus=undelivered&ErrorCode=30006&To=%2B33144440002&From=%2B33757000001
 *   &AccountSid=AC…&SmsSid=SM…&SmsStatus=undelivered&ApiVersion=2010-04-01
 *
 * out of order and possibly repeated; answered 200 with an empty body (README.md in this folder).
 */
import type { DeliveryStatus, ErrorClass } from '../../core/delivery.js';
import type { RawFields } from '../../core/inbound-message.js';
import type { DeliveryListener, ReceiptListenResult } from '../../core/ports/delivery-listener.js';

const SID = /^[A-Z]{2}[0-9a-f]{32}$/;
const E164 = /^\+[1-9]\d{1,14}$/;

/** Twilio's MessageStatus values for outbound messages, as ours (`read` is RCS and WhatsApp). */
const STATUSES: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * What Twilio's error codes say about the number (README.md in this folder, with sources). A code
 * not listed counts as temporary: suppressed only if it keeps happening.
 */
export const TWILIO_ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  '21610': 'opted_out',
  '21211': 'unreachable',
  '21614': 'unreachable',
  '21635': 'unreachable',
  '30005': 'unreachable',
  '30006': 'unreachable',
  '30003': 'temporary',
  '30004': 'temporary',
  '30008': 'temporary',
  '30007': 'content',
  '30034': 'content',
};

export class TwilioStatusListener implements DeliveryListener {
  readonly provider = 'twilio';

  listen(fields: RawFields, receivedAt: Date): ReceiptListenResult {
    const value = (name: string): string | undefined => {
      const found = fields[name];
      return typeof found === 'string' ? found : undefined;
    };
    const sid = value('MessageSid');
    const reported = value('MessageStatus');
    const to = value('To');
    if (sid === undefined || !SID.test(sid))
      return { kind: 'invalid', reason: 'MessageSid missing or not a Twilio SID' };
    if (to === undefined || !E164.test(to)) return { kind: 'invalid', reason: 'To missing or not an E.164 number' };
    const status = reported === undefined ? undefined : STATUSES[reported];
    if (status === undefined) return { kind: 'invalid', reason: `unknown MessageStatus '${reported ?? ''}'` };
    const code = value('ErrorCode') || null;
    if (code !== null && !/^\d{1,6}$/.test(code)) return { kind: 'invalid', reason: 'ErrorCode is not a number' };
    return {
      kind: 'receipt',
      receipt: {
        provider: this.provider,
        message_id: sid,
        recipient: to,
        status,
        error_code: code,
        error_class: code === null ? null : (TWILIO_ERROR_CLASSES[code] ?? 'temporary'),
        received_at: receivedAt,
        raw_data: fields,
      },
    };
  }
}
