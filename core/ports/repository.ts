import type { Action, ActionName, LeadStatus, Scope, TaskKind, TaskStatus } from '../action.js';
import type { ConsentEvent } from '../consent.js';
import type { DeliveryReceipt, DeliveryStatus } from '../delivery.js';
import type { InboundMessage } from '../inbound-message.js';
import type { Intent } from '../intent.js';

export interface RecordRequest {
  /** The message; its `campaign_id` is ignored and resolved from the sender's lead. */
  readonly message: InboundMessage;
  readonly intent: Intent;
  readonly confidence: number;
  readonly action: Action;
  readonly processedAt: Date;
  /** The interpreter's version, kept in the ledger's evidence of a change of permission. */
  readonly interpreterVersion?: string;
}

export type RecordOutcome =
  | { readonly kind: 'stored'; readonly id: string; readonly campaign_id: string | null }
  /** The (provider, message_id) was already stored: nothing changed; `reply` is the one first computed. */
  | { readonly kind: 'duplicate'; readonly id: string; readonly reply: string | null };

export interface StoredMessage extends InboundMessage {
  readonly id: string;
  readonly intent: Intent;
  readonly confidence: number;
  readonly action: ActionName;
  readonly reply: string | null;
  readonly processed_at: Date | null;
}

export interface Lead {
  readonly phone: string;
  readonly campaign_id: string | null;
  readonly status: LeadStatus;
  readonly opted_out_at: Date | null;
  readonly opt_out_scope: Scope | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface Task {
  readonly id: string;
  readonly kind: TaskKind;
  readonly phone: string;
  readonly contact: string;
  readonly campaign_id: string | null;
  /** Our stored message that asked for it. */
  readonly inbound_message_id: string;
  readonly due_text: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly status: TaskStatus;
  /** Why it was cancelled, when it was. */
  readonly cancel_reason: string | null;
  readonly created_at: Date;
}

/** An open review task with the reply it is about. */
export interface Review extends Task {
  readonly text: string;
  readonly received_at: Date;
}

/** A person's reading of a held reply: the intent, and what that intent triggers (see planAction). */
export interface ReviewResolution {
  readonly taskId: string;
  readonly intent: Intent;
  readonly action: Action;
  readonly reviewer: string;
  readonly at: Date;
}

export type ResolveOutcome =
  | { readonly kind: 'resolved'; readonly phone: string; readonly lead_status: LeadStatus }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'already_resolved' };

/** A reply labelled by a person, for training. */
export interface ReviewExample {
  readonly text: string;
  /** What the interpreter had read. */
  readonly read_as: Intent;
  readonly intent: Intent;
  readonly resolved_at: Date;
}

/** A delivery receipt to store, with what its error does to the number. */
export interface DeliveryRequest {
  readonly receipt: DeliveryReceipt;
  /**
   * Appended with its lead change (and cancelled tasks) when the receipt is new and the number
   * still receives SMS; for a temporary failure, only once `temporary.failures` of them happened
   * within `temporary.days`.
   */
  readonly consent: ConsentEvent | null;
  readonly temporary: { readonly failures: number; readonly days: number } | null;
}

export type DeliveryOutcome =
  | {
      readonly kind: 'recorded';
      /** The message's state after it: the higher-ranked of what was known and what came. */
      readonly status: DeliveryStatus;
      /** The ledger event it appended, if any. */
      readonly consent: ConsentEvent | null;
    }
  /** That (provider, message, status) was already stored: nothing changed. */
  | { readonly kind: 'repeated' };

/** The state of a message we sent. */
export interface Delivery {
  readonly provider: string;
  readonly message_id: string;
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly error_code: string | null;
  readonly campaign_id: string | null;
  readonly updated_at: Date;
}

/** What one campaign's messages did (`npm run report`). */
export interface CampaignReport {
  readonly campaign_id: string;
  /** Messages we sent that reported back (a delivery receipt), by their state now. */
  readonly deliveries: Readonly<Record<string, number>>;
  /** Failed or undelivered messages by error code ("none" without one). */
  readonly errors: Readonly<Record<string, number>>;
  /** Replies received from the campaign's numbers, by intent. */
  readonly intents: Readonly<Record<string, number>>;
  readonly open_tasks: number;
}

/** Durable storage of messages, leads and tasks. */
export interface Repository {
  /**
   * Stores the message and applies its action in one transaction; a known message changes nothing.
   * An action that changes a permission appends its ledger event, with the message's words, intent
   * and confidence as evidence (only verified requests are recorded), and an opt-out or a
   * suppression cancels the number's open tasks.
   */
  record(request: RecordRequest): Promise<RecordOutcome>;
  /** Registers a number we texted for a campaign (keeps its opt-out). */
  saveLead(phone: string, campaignId: string | null, at: Date): Promise<void>;
  /** The stored message for a provider's id, if any. */
  findMessage(provider: string, messageId: string): Promise<StoredMessage | undefined>;
  /** The lead for a phone number, if any. */
  findLead(phone: string): Promise<Lead | undefined>;
  /** Leads, newest change first, optionally with one status. */
  listLeads(status?: LeadStatus): Promise<Lead[]>;
  /** Open tasks, oldest first. */
  listOpenTasks(): Promise<Task[]>;
  /** Open review tasks with their replies, oldest first. */
  listReviews(): Promise<Review[]>;
  /** A review task with its reply, open or not. */
  findReview(taskId: string): Promise<Review | undefined>;
  /**
   * Closes a review task with a person's reading, in one transaction: the task is done, the lead
   * takes the change of `action` (the hold is lifted unless the number was suppressed before it
   * or another review still holds it), `action`'s task is created, and the reply is kept as a
   * labelled example.
   */
  resolveReview(resolution: ReviewResolution): Promise<ResolveOutcome>;
  /** Replies people labelled, oldest first. */
  listReviewExamples(): Promise<ReviewExample[]>;
  /**
   * Appends changes of permission that did not come with a reply (delivery errors, imports, an
   * operator), in one transaction: each updates the lead as its event says (core `leadChangeOf`),
   * and an opt-out, a suppression or an import cancels the number's open tasks.
   */
  recordConsent(events: readonly ConsentEvent[]): Promise<void>;
  /** Stores a delivery receipt once, keeps the message's highest-ranked state, applies its consent. */
  recordDelivery(request: DeliveryRequest): Promise<DeliveryOutcome>;
  /** The state of a message we sent, if a receipt told it. */
  findDelivery(provider: string, messageId: string): Promise<Delivery | undefined>;
  /** The number's ledger, oldest first (replies' events are appended by `record`, reviews' by `resolveReview`). */
  consentHistory(phone: string): Promise<ConsentEvent[]>;
  /** One campaign's deliveries, replies and open tasks since `since` (replies and receipts after it). */
  campaignReport(campaignId: string, since: Date): Promise<CampaignReport>;
  /** The whole ledger, oldest first (suppression lists). */
  listConsent(): Promise<ConsentEvent[]>;
  /**
   * Erases the personal data older than `before` (README, "Personal data"): a message's text, raw
   * payload, extracted data and, unless it changed the number's permission, its sender; a task's
   * contact, details and time; labelled review examples; message parts. The rows, their intent and
   * action, and every lead with its opt-out stay. Returns how many messages were purged.
   */
  purgeMessageData(before: Date): Promise<number>;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
}
