import type { ConsentEvent } from './consent.js';
import type { DeliveryReceipt, DeliveryStatus } from './delivery.js';
import { TEMPORARY_FAILURES_TO_SUPPRESS, TEMPORARY_FAILURES_WINDOW_DAYS } from './delivery.js';
import type { DeliveryListener } from './ports/delivery-listener.js';
import type { Repository } from './ports/repository.js';
import type { SignatureVerifier, SignedRequest } from './ports/signature-verifier.js';

export type ReceiptOutcome =
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** Stored; `status` is the message's state now (a late, lower-ranked receipt does not move it back). */
  | {
      readonly kind: 'recorded';
      readonly receipt: DeliveryReceipt;
      readonly status: DeliveryStatus;
      /** The change of permission it made, if any. */
      readonly consent: ConsentEvent | null;
    }
  | { readonly kind: 'repeated' };

export interface ReceiptDependencies {
  readonly verifier: SignatureVerifier;
  readonly listener: DeliveryListener;
  readonly repository: Repository;
}

/**
 * A delivery receipt: verified like an inbound message, stored once per (provider, message,
 * status), and what its error says about the number applied in the same transaction (README,
 * "Delivery receipts"): the recipient opted out at the provider, the number cannot receive SMS,
 * or, after repeated temporary failures, it is suppressed; carrier filtering never suppresses.
 */
export class ReceiveDeliveryReceipt {
  constructor(private readonly deps: ReceiptDependencies) {}

  async execute(request: SignedRequest): Promise<ReceiptOutcome> {
    if (!this.deps.verifier.verify(request)) return { kind: 'forbidden' };
    const heard = this.deps.listener.listen(request.fields, new Date());
    if (heard.kind === 'invalid') return heard;
    const { receipt } = heard;
    const outcome = await this.deps.repository.recordDelivery({
      receipt,
      consent: consentOf(receipt, receipt.error_class === 'temporary' ? 'repeated' : 'now'),
      temporary:
        receipt.error_class === 'temporary'
          ? { failures: TEMPORARY_FAILURES_TO_SUPPRESS, days: TEMPORARY_FAILURES_WINDOW_DAYS }
          : null,
    });
    if (outcome.kind === 'repeated') return outcome;
    return { kind: 'recorded', receipt, status: outcome.status, consent: outcome.consent };
  }
}

/** The ledger event an error makes: now, or (`repeated`) once temporary failures add up. */
function consentOf(receipt: DeliveryReceipt, when: 'now' | 'repeated'): ConsentEvent | null {
  const { error_class: errorClass, error_code: code, provider, message_id: id, recipient } = receipt;
  if (errorClass === null || errorClass === 'content') return null;
  const evidence = { delivery: { provider, message_id: id }, error_code: code as string };
  const base = { phone: recipient, scope: 'sms' as const, occurred_at: receipt.received_at };
  if (errorClass === 'opted_out') return { ...base, event: 'opt_out', source: 'provider_keyword', evidence };
  const reason =
    when === 'repeated'
      ? `${TEMPORARY_FAILURES_TO_SUPPRESS} temporary failures within ${TEMPORARY_FAILURES_WINDOW_DAYS} days`
      : 'the number cannot receive SMS';
  return { ...base, event: 'suppress', source: 'delivery_error', evidence: { ...evidence, reason } };
}
