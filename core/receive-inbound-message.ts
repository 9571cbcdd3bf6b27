import { planAction } from './action.js';
import type { ActionName, ConsentChange } from './action.js';
import { OutboxError } from './errors.js';
import { escapeNul, withoutNul } from './inbound-message.js';
import type { InboundMessage, ProviderKeyword } from './inbound-message.js';
import { UNREAD } from './intent.js';
import type { Intent, Interpretation } from './intent.js';
import { MAX_OPEN_MESSAGES, PARTS_WINDOW_MS } from './parts.js';
import type { Clock } from './ports/clock.js';
import type { MultipartFormat, PartPosition } from './ports/multipart-format.js';
import type { ExpireRequest, MessagePart, PartStore } from './ports/part-store.js';
import type { ReplyOutbox } from './ports/reply-outbox.js';
import type { Repository } from './ports/repository.js';
import type { ResponseInterpreter } from './ports/response-interpreter.js';
import type { ListenResult, ResponseListener } from './ports/response-listener.js';
import type { SignatureVerifier, SignedRequest } from './ports/signature-verifier.js';

export type ReceiveOutcome =
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** One part of a longer message, stored (so acknowledged) until the other parts arrive. */
  | { readonly kind: 'held'; readonly part: number; readonly total: number; readonly received: number }
  | {
      readonly kind: 'stored';
      readonly id: string;
      readonly message: InboundMessage;
      readonly intent: Intent;
      readonly action: ActionName;
      readonly reply: string | null;
      /** The change of permission appended to the ledger with it, if any. */
      readonly consent: ConsentChange | null;
      /** Set when the interpreter threw: the message was stored as UNKNOWN. */
      readonly interpreterError: Error | null;
    }
  | { readonly kind: 'duplicate'; readonly id: string; readonly reply: string | null };

/** What a message read from its fields leads to: everything but the checks of the request. */
export type MessageOutcome = Extract<ReceiveOutcome, { kind: 'stored' | 'duplicate' }>;

export interface ReceiveDependencies {
  readonly verifier: SignatureVerifier;
  readonly listener: ResponseListener;
  readonly interpreter: ResponseInterpreter;
  readonly repository: Repository;
  readonly clock: Clock;
  /** Sender name used in automatic replies. */
  readonly brand: string;
  /** How many recently stored message keys to remember (default 10,000, a few hundred KB). */
  readonly recentKeys?: number;
  /** For providers that deliver long messages in parts: where parts wait, and how they join. */
  readonly parts?: { readonly store: PartStore; readonly format: MultipartFormat };
  /** For providers whose webhook answer carries no reply: replies are queued here. */
  readonly outbox?: ReplyOutbox;
}

type Heard = Extract<ListenResult, { kind: 'message' }>;

const KEYWORD_INTENTS: Record<ProviderKeyword, Intent> = {
  opt_out: 'OPT_OUT',
  opt_in: 'OPT_IN',
  help: 'HELP',
};

/**
 * The inbound pipeline of one provider: verify once, read once, assemble parts, check for a
 * duplicate, interpret, store the message with its action in one transaction, queue the reply.
 * Only a stored message is reported as such.
 */
export class ReceiveInboundMessage {
  /**
   * Messages this process stored lately: a provider's retry of one (or of any part of a joined
   * message) is answered from the stored row without being read again. A retry that reaches
   * another instance is read (bounded work) and found a duplicate by the unique key on insert.
   */
  private readonly recent = new Set<string>();
  /** The remembered keys in the order they came, a ring: the oldest is overwritten first. */
  private readonly recentOrder: string[] = [];
  private recentNext = 0;

  constructor(private readonly deps: ReceiveDependencies) {}

  async execute(request: SignedRequest): Promise<ReceiveOutcome> {
    if (!this.deps.verifier.verify(request)) return { kind: 'forbidden' };
    const heard = this.deps.listener.listen(request.fields, this.deps.clock());
    if (heard.kind === 'invalid') return heard;
    const position = this.deps.parts?.format.partOf(heard.message) ?? null;
    if (position === null) return this.accept(heard);
    return this.addPart(heard.message, position, request);
  }

  /**
   * Reads, as they are, the messages whose parts stopped arriving more than `PARTS_WINDOW_MS` ago
   * (run every minute by the service): an opt-out inside an incomplete message still counts. Each
   * is flagged `incomplete` ("received/total") and read like a whole one.
   */
  expireStale(now: Date): Promise<MessageOutcome[]> {
    return this.readIncomplete({ before: new Date(now.getTime() - PARTS_WINDOW_MS) });
  }

  private async addPart(
    message: InboundMessage,
    position: PartPosition,
    request: SignedRequest,
  ): Promise<ReceiveOutcome> {
    const { store, format } = this.deps.parts as NonNullable<ReceiveDependencies['parts']>;
    const outcome = await store.add({
      provider: message.provider,
      message_id: message.message_id,
      sender: message.sender,
      recipient: message.recipient,
      ...position,
      fields: escapeNul(request.fields),
      received_at: message.received_at,
    });
    if (outcome.complete) return this.acceptFields(format.join(outcome.parts));
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

  private async readIncomplete(request: ExpireRequest): Promise<MessageOutcome[]> {
    const parts = this.deps.parts;
    if (parts === undefined) return [];
    const outcomes: MessageOutcome[] = [];
    for (const group of await parts.store.expire(request)) {
      const total = (group[0] as MessagePart).total;
      outcomes.push(await this.acceptFields({ ...parts.format.join(group), incomplete: `${group.length}/${total}` }));
    }
    return outcomes;
  }

  /** A message joined from verified parts: read once, as a whole. Its parts each read, so it must. */
  private acceptFields(fields: SignedRequest['fields']): Promise<MessageOutcome> {
    const heard = this.deps.listener.listen(fields, this.deps.clock());
    if (heard.kind === 'invalid') throw new Error(`a message joined from its parts does not read: ${heard.reason}`);
    return this.accept(heard);
  }

  private async accept(heard: Heard): Promise<MessageOutcome> {
    const outcome = await this.store(heard);
    if (this.deps.outbox !== undefined && outcome.reply !== null) {
      const { provider, sender, recipient } = heard.message;
      try {
        await this.deps.outbox.enqueue({
          provider,
          inbound_message_id: outcome.id,
          to: sender,
          from: recipient,
          text: outcome.reply,
        });
      } catch (cause) {
        throw new OutboxError(`the reply to stored message ${outcome.id} was not queued`, { cause });
      }
    }
    return outcome;
  }

  private async store(heard: Heard): Promise<MessageOutcome> {
    const { repository } = this.deps;
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
      ...(this.deps.interpreter.version === undefined ? {} : { interpreterVersion: this.deps.interpreter.version }),
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
      consent: action.consent,
      interpreterError: error,
    };
  }

  /**
   * Remembers `key`, forgetting the oldest beyond `recentKeys`. A ring, not the Set's own order:
   * deleting a Set's first entry again and again leaves holes its iterator skips one by one until
   * V8 compacts it (2.7 % of the service's CPU in npm run bench).
   */
  private remember(key: string): void {
    if (this.recent.has(key)) return;
    const limit = this.deps.recentKeys ?? 10_000;
    if (this.recentOrder.length < limit) this.recentOrder.push(key);
    else {
      this.recent.delete(this.recentOrder[this.recentNext] as string);
      this.recentOrder[this.recentNext] = key;
      this.recentNext = (this.recentNext + 1) % limit;
    }
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
