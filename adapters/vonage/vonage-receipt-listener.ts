/**
 * Vonage's delivery receipts (SMS API), GET or POST like its inbound messages and signed the same
 * way when signatures are on: `messageId`, `msisdn` (the recipient), `to` (our sender), `status`,
 * `err-code`, `scts`, `network-code`, `price`, `api-key`… (README.md in this folder, with sources).
 * A long message has one receipt per part, each with its own `messageId`.
 */
import type { DeliveryStatus, ErrorClass } from '../../core/delivery.js';
import type { RawFields } from '../../core/inbound-message.js';
import type { DeliveryListener, ReceiptListenResult } from '../../core/ports/delivery-listener.js';

/** Vonage's statuses as ours: `accepted` by the carrier is sent; `unknown` says no more than that. */
const STATUSES: Readonly<Record<string, DeliveryStatus>> = {
  buffered: 'sending',
  accepted: 'sent',
  unknown: 'sent',
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
};

/** What Vonage's `err-code` values say about the number; a code not listed counts as temporary. */
export const VONAGE_ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  '9': 'opted_out',
  '3': 'unreachable',
  '4': 'unreachable',
  '14': 'unreachable',
  '1': 'temporary',
  '2': 'temporary',
  '5': 'temporary',
  '7': 'temporary',
  '8': 'temporary',
  '12': 'temporary',
  '15': 'temporary',
  '6': 'content',
  '10': 'content',
  '11': 'content',
  '13': 'content',
  '99': 'content',
};

export class VonageReceiptListener implements DeliveryListener {
  readonly provider = 'vonage';

  listen(fields: RawFields, receivedAt: Date): ReceiptListenResult {
    const value = (name: string): string | undefined => {
      const found = fields[name];
      return typeof found === 'string' ? found : undefined;
    };
    const id = value('messageId');
    const msisdn = value('msisdn');
    const reported = value('status');
    if (id === undefined || !/^[0-9A-Za-z-]{1,40}$/.test(id))
      return { kind: 'invalid', reason: 'missing field messageId' };
    if (msisdn === undefined || !/^\d{6,15}$/.test(msisdn)) return { kind: 'invalid', reason: 'missing field msisdn' };
    const status = reported === undefined ? undefined : STATUSES[reported];
    if (status === undefined) return { kind: 'invalid', reason: `unknown status '${reported ?? ''}'` };
    const raw = value('err-code');
    if (raw !== undefined && !/^\d{1,4}$/.test(raw)) return { kind: 'invalid', reason: 'err-code is not a number' };
    const code = raw === undefined || raw === '0' ? null : raw;
    return {
      kind: 'receipt',
      receipt: {
        provider: this.provider,
        message_id: id,
        recipient: `+${msisdn}`,
        status,
        error_code: code,
        error_class: code === null ? null : (VONAGE_ERROR_CLASSES[code] ?? 'temporary'),
        received_at: receivedAt,
        raw_data: fields,
      },
    };
  }
}
