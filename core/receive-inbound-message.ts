import { planAction } from './action.js';
import type { ActionName } from './action.js';
import { withoutNul } from './inbound-message.js';
import type { InboundMessage, ProviderKeyword } from './inbound-message.js';
import { UNREAD } from './intent.js';
import type { Intent, Interpretation } from './intent.js';
import type { Repository } from './ports/repository.js';
import type { ResponseInterpreter } from './ports/response-interpreter.js';
import type { ResponseListener } from './ports/response-listener.js';
import type { SignatureVerifier, SignedRequest } from './ports/signature-verifier.js';

export type ReceiveOutcome =
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | {
      readonly kind: 'stored';
      readonly id: string;
      readonly message: InboundMessage;
      readonly intent: Intent;
      readonly action: ActionName;
      readonly reply: string | null;
      /** Set when the interpreter threw: the message was stored as UNKNOWN. */
      readonly interpreterError: Error | null;
    }
  | { readonly kind: 'duplicate'; readonly id: string; readonly reply: string | null };

export interface ReceiveDependencies {
  readonly verifier: SignatureVerifier;
  readonly listener: ResponseListener;
  readonly interpreter: ResponseInterpreter;
  readonly repository: Repository;
  readonly clock: () => Date;
  /** Sender name used in automatic replies. */
  readonly brand: string;
  /** How many recently stored message keys to remember (default 10,000, a few hundred KB). */
  readonly recentKeys?: number;
}

const KEYWORD_INTENTS: Record<ProviderKeyword, Intent> = {
  opt_out: 'OPT_OUT',
  opt_in: 'OPT_IN',
  help: 'HELP',
};

/**
 * The inbound pipeline: verify, validate and normalize, interpret, then store the message with
 * its action in one transaction. Only a stored message is reported as such.
 */
export class ReceiveInboundMessage {
  /**
   * Messages this process stored lately: a provider's retry of one (or of any part of a joined
   * message) is answered from the stored row without being read again. A retry that reaches
   * another instance is read (bounded work) and found a duplicate by the unique key on insert.
   */
  private readonly recent = new Set<string>();

  constructor(private readonly deps: ReceiveDependencies) {}

  async execute(request: SignedRequest): Promise<ReceiveOutcome> {
    const { verifier, listener, repository } = this.deps;
    if (!verifier.verify(request)) return { kind: 'forbidden' };
    const receivedAt = this.deps.clock();
    const heard = listener.listen(request.fields, receivedAt);
    if (heard.kind === 'invalid') return heard;
    const key = `${heard.message.provider}\u0000${heard.message.message_id}`;
    if (this.recent.has(key)) {
      const known = await repository.findMessage(heard.message.provider, heard.message.message_id);
      if (known !== undefined) return { kind: 'duplicate', id: known.id, reply: known.reply };
    }

    const heardMessage = withoutNul(heard.message);
    const { interpretation, error } = this.interpret(heardMessage, heard.providerKeyword);
    const action = planAction(interpretation, {
      sender: heardMessage.sender,
      brand: this.deps.brand,
      providerReplied: heard.providerKeyword !== null,
    });
    const extracted = { ...heardMessage.extracted_data, ...interpretation.extracted };
    if (interpretation.secondary_intents.length > 0) extracted['secondary_intents'] = interpretation.secondary_intents;
    const message: InboundMessage = { ...heardMessage, extracted_data: extracted };

    const outcome = await repository.record({
      message,
      intent: interpretation.intent,
      confidence: interpretation.confidence,
      action,
      processedAt: this.deps.clock(),
    });
    this.remember(key);
    if (outcome.kind === 'duplicate') return outcome;
    return {
      kind: 'stored',
      id: outcome.id,
      message: { ...message, campaign_id: outcome.campaign_id },
      intent: interpretation.intent,
      action: action.name,
      reply: action.reply,
      interpreterError: error,
    };
  }

  private remember(key: string): void {
    if (this.recent.size >= (this.deps.recentKeys ?? 10_000))
      this.recent.delete(this.recent.values().next().value as string);
    this.recent.add(key);
  }

  private interpret(
    message: InboundMessage,
    keyword: ProviderKeyword | null,
  ): { interpretation: Interpretation; error: Error | null } {
    let interpretation: Interpretation;
    let error: Error | null = null;
    try {
      interpretation = this.deps.interpreter.interpret(message.content, message.received_at);
    } catch (cause) {
      // A bug in the interpreter must not lose the message: store it unread, for a person to see.
      error = cause instanceof Error ? cause : new Error(String(cause));
      interpretation = UNREAD;
    }
    // The provider already acted on its own keyword (and replied): its decision is final.
    if (keyword !== null) {
      interpretation = { ...interpretation, intent: KEYWORD_INTENTS[keyword], confidence: 1, review: false };
    }
    return { interpretation, error };
  }
}
