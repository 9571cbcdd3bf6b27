import { escapeNul } from '../../core/inbound-message.js';
import type { InboundMessage, RawFields } from '../../core/inbound-message.js';
import type { ResponseListener } from '../../core/ports/response-listener.js';
import type { SignatureVerifier, SignedRequest } from '../../core/ports/signature-verifier.js';
import type { RouteOutcome, WebhookReceiver } from '../http/http-server.js';
import type { ExpireRequest, MessagePart, PartStore } from './part-store.js';
import { MAX_OPEN_MESSAGES, PARTS_WINDOW_MS } from './part-store.js';

/** How one provider marks and joins the parts of a concatenated message. */
export interface MultipartFormat {
  /** The message's position in a longer one, or null for a message that came whole. */
  partOf(message: InboundMessage): { readonly ref: string; readonly total: number; readonly part: number } | null;
  /** The fields of the whole message, from its parts in order: what the listener then reads. */
  join(parts: readonly MessagePart[]): RawFields;
}

export interface AssemblingDependencies {
  readonly verifier: SignatureVerifier;
  readonly listener: ResponseListener;
  readonly parts: PartStore;
  readonly format: MultipartFormat;
  readonly clock: () => Date;
  /** Builds the pipeline for whole messages, given the verifier it must use. */
  readonly pipeline: (verifier: SignatureVerifier) => WebhookReceiver;
}

/**
 * A route's receiver for providers that deliver long messages in parts: each part is verified and
 * stored; the message goes through the pipeline once, when its last part arrives, as one text.
 * The pipeline only accepts requests this receiver verified or assembled from verified parts.
 */
export class AssemblingReceiver implements WebhookReceiver {
  private readonly vouched = new WeakSet<SignedRequest>();
  private readonly pipeline: WebhookReceiver;

  constructor(private readonly deps: AssemblingDependencies) {
    this.pipeline = deps.pipeline({ verify: (request) => this.vouched.has(request) });
  }

  async execute(request: SignedRequest): Promise<RouteOutcome> {
    const { verifier, listener, format } = this.deps;
    if (!verifier.verify(request)) return { kind: 'forbidden' };
    const heard = listener.listen(request.fields, this.deps.clock());
    if (heard.kind === 'invalid') return heard;
    const position = format.partOf(heard.message);
    if (position === null) return this.forward(request);

    const { message } = heard;
    const outcome = await this.deps.parts.add({
      provider: message.provider,
      messageId: message.message_id,
      sender: message.sender,
      recipient: message.recipient,
      ...position,
      fields: escapeNul(request.fields),
      receivedAt: message.received_at,
    });
    if (!outcome.complete) {
      // One sender cannot keep unbounded incomplete messages open: past the limit, the others are read now.
      if (outcome.open > MAX_OPEN_MESSAGES) {
        await this.readIncomplete({
          before: new Date(8.64e15),
          provider: message.provider,
          sender: message.sender,
          exceptRef: position.ref,
        });
      }
      return { kind: 'held', part: position.part, total: position.total, received: outcome.received };
    }
    return this.forward({ ...request, fields: format.join(outcome.parts) });
  }

  /**
   * Reads, as they are, the messages whose parts stopped arriving more than `PARTS_WINDOW_MS` ago
   * (run every minute by the service): an opt-out inside an incomplete message still counts. Each
   * is flagged `incomplete` ("received/total") and goes through the pipeline like a whole one.
   */
  expireStale(now: Date): Promise<RouteOutcome[]> {
    return this.readIncomplete({ before: new Date(now.getTime() - PARTS_WINDOW_MS) });
  }

  private async readIncomplete(request: ExpireRequest): Promise<RouteOutcome[]> {
    const outcomes: RouteOutcome[] = [];
    for (const parts of await this.deps.parts.expire(request)) {
      const fields = {
        ...this.deps.format.join(parts),
        incomplete: `${parts.length}/${(parts[0] as MessagePart).total}`,
      };
      outcomes.push(await this.forward({ url: 'parts:expired', method: 'POST', headers: {}, fields }));
    }
    return outcomes;
  }

  private forward(request: SignedRequest): Promise<RouteOutcome> {
    this.vouched.add(request);
    return this.pipeline.execute(request);
  }
}
