import type { ResponseListener } from '../../core/ports/response-listener.js';
import type { SignedRequest } from '../../core/ports/signature-verifier.js';
import type { RouteOutcome, WebhookReceiver } from '../http/http-server.js';
import type { ReplyOutbox } from './outbox.js';

/**
 * For providers whose webhook answer carries no reply: once the message is stored, its reply (if
 * any) is queued in the outbox before the webhook is acknowledged. A duplicate queues it again,
 * which the outbox ignores, so a crash between storing and queuing is mended by the provider's retry.
 */
export class ReplyingReceiver implements WebhookReceiver {
  constructor(
    private readonly inner: WebhookReceiver,
    private readonly listener: Pick<ResponseListener, 'listen'>,
    private readonly outbox: ReplyOutbox,
    private readonly clock: () => Date,
  ) {}

  async execute(request: SignedRequest): Promise<RouteOutcome> {
    const outcome = await this.inner.execute(request);
    if ((outcome.kind !== 'stored' && outcome.kind !== 'duplicate') || outcome.reply === null) return outcome;
    const heard = this.listener.listen(request.fields, this.clock());
    if (heard.kind === 'invalid') throw new Error(`stored message no longer reads: ${heard.reason}`);
    const { provider, sender, recipient } = heard.message;
    await this.outbox.enqueue({ provider, messageKey: outcome.id, to: sender, from: recipient, text: outcome.reply });
    return outcome;
  }
}
