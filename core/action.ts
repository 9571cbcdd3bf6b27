import { refusedScope } from './consent.js';
import type { ConsentEventKind, ConsentEvidence, ConsentSource, Permissions } from './consent.js';
import type { Intent, Interpretation, Language } from './intent.js';

export type LeadStatus =
  | 'active'
  | 'opted_out'
  | 'interested'
  | 'not_interested'
  | 'callback_requested'
  | 'meeting_requested'
  | 'question'
  | 'wrong_number'
  /** Delivery receipts say the number cannot receive SMS (a landline, a dead number). */
  | 'unreachable'
  /** A reply waits for a person (`npm run review`): the number is not texted meanwhile. */
  | 'held';

export type ActionName =
  | 'suppressed'
  | 'resubscribed'
  | 'help_sent'
  | 'lead_interested'
  | 'lead_not_interested'
  | 'lead_question'
  | 'wrong_number_suppressed'
  | 'callback_task'
  | 'meeting_task'
  | 'review_hold'
  | 'none';

/** What a suppression covers. */
export type Scope = 'sms' | 'calls' | 'all';

const SCOPES: readonly string[] = ['sms', 'calls', 'all'] satisfies Scope[];

/** A task's state: open until someone does it. */
export type TaskStatus = 'open' | 'done' | 'cancelled';

/** A change to the sender's lead; `suppression` says what happens to its opt-out. */
export interface LeadChange {
  readonly status: LeadStatus;
  readonly suppression: 'suppress' | 'lift' | 'keep';
  /** For a suppression: sms, calls or all. */
  readonly scope: Scope | null;
}

export type TaskKind = 'callback' | 'meeting' | 'review';

/** Actions that change what a number may receive: their message's sender is kept as proof. */
export const PERMISSION_ACTIONS: readonly ActionName[] = ['suppressed', 'resubscribed', 'wrong_number_suppressed'];

/** Work for the sales team. */
export interface NewTask {
  readonly kind: TaskKind;
  /** When the prospect asked for, as they wrote it; null when they did not say. */
  readonly due_text: string | null;
  /** Phone to call: the one given in the message, else the sender. */
  readonly contact: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** The ledger entry of an action that changes what the number may receive. */
export interface ConsentChange {
  readonly event: ConsentEventKind;
  readonly scope: Scope;
  readonly source: ConsentSource;
}

/** Everything one message triggers, applied atomically with the stored message. */
export interface Action {
  readonly name: ActionName;
  readonly lead: LeadChange | null;
  readonly task: NewTask | null;
  /** Text to send back to the sender, or null for no reply. */
  readonly reply: string | null;
  /** Appended to the consent ledger with the message, when the action changes a permission. */
  readonly consent: ConsentChange | null;
}

type Plan = Omit<Action, 'consent'>;

export interface ActionContext {
  readonly sender: string;
  readonly brand: string;
  /** True when the provider already answered a STOP/START/HELP keyword itself. */
  readonly providerReplied: boolean;
}

const REPLIES: Record<'opt_out' | 'opt_in' | 'help', Record<Language, (brand: string) => string>> = {
  opt_out: {
    fr: (b) => `${b} : vous ne recevrez plus de SMS de notre part. Répondez START pour vous réabonner.`,
    en: (b) => `${b}: you will not receive any more messages from us. Reply START to resubscribe.`,
  },
  opt_in: {
    fr: (b) => `${b} : vous êtes de nouveau abonné. Répondez STOP pour ne plus recevoir de SMS.`,
    en: (b) => `${b}: you are subscribed again. Reply STOP to stop receiving messages.`,
  },
  help: {
    fr: (b) => `${b} : prospection B2B par SMS. Pour ne plus recevoir de SMS, répondez STOP.`,
    en: (b) => `${b}: B2B prospecting by SMS. To stop receiving messages, reply STOP.`,
  },
};

function statusOnly(name: ActionName, status: LeadStatus): Plan {
  return { name, lead: { status, suppression: 'keep', scope: null }, task: null, reply: null };
}

function task(
  name: ActionName,
  kind: NewTask['kind'],
  status: LeadStatus,
  interpretation: Interpretation,
  ctx: ActionContext,
): Plan {
  const extracted = interpretation.extracted;
  const phone = typeof extracted['phone'] === 'string' ? extracted['phone'] : ctx.sender;
  const when = typeof extracted['when_text'] === 'string' ? extracted['when_text'] : null;
  return {
    name,
    lead: { status, suppression: 'keep', scope: null },
    task: { kind, due_text: when, contact: phone, details: extracted },
    reply: null,
  };
}

/**
 * A reply the interpreter is unsure of, or that may be an opt-out without being clearly one: the
 * number is held (suppressed for sending, and no confirmation is sent, since nothing is decided
 * yet) and a person gets a review task with what the interpreter read.
 */
function holdForReview(interpretation: Interpretation, ctx: ActionContext): Plan {
  const { intent, confidence, secondary_intents, extracted } = interpretation;
  return {
    name: 'review_hold',
    lead: { status: 'held', suppression: 'suppress', scope: 'all' },
    task: {
      kind: 'review',
      due_text: null,
      contact: ctx.sender,
      details: { ...extracted, read_as: intent, confidence, secondary_intents },
    },
    reply: null,
  };
}

/** Decides what a reply triggers: the policy, with no I/O. */
export function planAction(interpretation: Interpretation, ctx: ActionContext): Action {
  const plan = interpretation.review ? holdForReview(interpretation, ctx) : planIntent(interpretation, ctx);
  return { ...plan, consent: consentOf(plan, ctx.providerReplied ? 'provider_keyword' : 'reply') };
}

/**
 * What the ledger records of a plan: a lifted suppression is an opt-in, a hold a hold, a wrong
 * number a suppression, any other suppression an opt-out with its scope.
 */
/** The lead change a ledger event makes, when it comes from somewhere other than a reply. */
export function leadChangeOf(event: ConsentEventKind, scope: Scope): LeadChange | null {
  if (event === 'opt_in') return { status: 'active', suppression: 'lift', scope: null };
  if (event === 'opt_out' || event === 'import') return { status: 'opted_out', suppression: 'suppress', scope };
  if (event === 'suppress') return { status: 'unreachable', suppression: 'suppress', scope };
  return null;
}

/**
 * What a person's decision on a held reply appends to the ledger: the hold is released, and their
 * reading's own change (an opt-out confirmed, an opt-in…) follows, from the source `review`.
 */
export function reviewConsent(
  inboundMessageId: string,
  intent: Intent,
  action: Action,
  reviewer: string,
): { change: ConsentChange; evidence: ConsentEvidence }[] {
  const evidence = { inbound_message_id: inboundMessageId, intent, by: reviewer };
  const release = { change: { event: 'release', scope: 'all', source: 'review' } as const, evidence };
  return action.consent === null ? [release] : [release, { change: { ...action.consent, source: 'review' }, evidence }];
}

/**
 * The lead after a review, as its ledger decides it: `releaseHold`'s status, and the refusals the
 * ledger still holds (a person's opt-in lifts an earlier opt-out; an earlier opt-out stays
 * otherwise; another open hold keeps everything refused).
 */
export function leadAfterReview(next: LeadState, permissions: Permissions, at: Date): LeadState {
  const scope = refusedScope(permissions);
  if (scope === null) {
    const status = next.status === 'opted_out' || next.status === 'held' ? 'active' : next.status;
    return { status, opted_out_at: null, opt_out_scope: null };
  }
  return { status: next.status, opted_out_at: next.opted_out_at ?? at, opt_out_scope: scope };
}

/** Events that cancel the number's open tasks: nobody calls a person who objected. */
export const CANCELLING_EVENTS: readonly ConsentEventKind[] = ['opt_out', 'suppress', 'import'];

export function consentOf(plan: Plan, source: ConsentSource): ConsentChange | null {
  const lead = plan.lead;
  if (lead === null || lead.suppression === 'keep') return null;
  if (lead.suppression === 'lift') return { event: 'opt_in', scope: 'all', source };
  if (plan.name === 'review_hold') return { event: 'hold', scope: 'all', source };
  if (plan.name === 'wrong_number_suppressed') return { event: 'suppress', scope: 'all', source };
  return { event: 'opt_out', scope: lead.scope as Scope, source };
}

function planIntent(interpretation: Interpretation, ctx: ActionContext): Plan {
  const reply = (kind: keyof typeof REPLIES): string | null =>
    ctx.providerReplied ? null : REPLIES[kind][interpretation.language](ctx.brand);
  const plans: Record<Intent, () => Plan> = {
    OPT_OUT: () => ({
      name: 'suppressed',
      lead: { status: 'opted_out', suppression: 'suppress', scope: scopeOf(interpretation) },
      task: null,
      reply: reply('opt_out'),
    }),
    OPT_IN: () => ({
      name: 'resubscribed',
      lead: { status: 'active', suppression: 'lift', scope: null },
      task: null,
      reply: reply('opt_in'),
    }),
    HELP: () => ({ name: 'help_sent', lead: null, task: null, reply: reply('help') }),
    INTERESTED: () => statusOnly('lead_interested', 'interested'),
    NOT_INTERESTED: () => statusOnly('lead_not_interested', 'not_interested'),
    QUESTION: () => statusOnly('lead_question', 'question'),
    WRONG_NUMBER: () => ({
      name: 'wrong_number_suppressed',
      lead: { status: 'wrong_number', suppression: 'suppress', scope: 'all' },
      task: null,
      reply: null,
    }),
    CALLBACK_REQUEST: () => task('callback_task', 'callback', 'callback_requested', interpretation, ctx),
    MEETING: () => task('meeting_task', 'meeting', 'meeting_requested', interpretation, ctx),
    UNKNOWN: () => ({ name: 'none', lead: null, task: null, reply: null }),
  };
  return plans[interpretation.intent]();
}

function scopeOf(interpretation: Interpretation): Scope {
  const scope = interpretation.extracted['scope'];
  return typeof scope === 'string' && SCOPES.includes(scope) ? (scope as Scope) : 'all';
}

/** The suppression state of a lead, as stored. */
export interface LeadState {
  readonly status: LeadStatus;
  readonly opted_out_at: Date | null;
  readonly opt_out_scope: Scope | null;
}

/**
 * The lead once a person resolved a review that held it at `heldAt`: a confirmed suppression
 * (opt-out, wrong number) stays, with the reviewed scope; otherwise the hold is lifted, unless
 * the number was suppressed before the hold, another review still holds it, or a later reply has
 * already decided (an opt-in lifted it, an opt-out replaced it).
 */
export function releaseHold(
  lead: LeadState,
  change: LeadChange | null,
  heldAt: Date,
  stillHeld: boolean,
  at: Date,
): LeadState {
  if (change !== null && change.suppression === 'suppress') {
    const suppressedBefore = lead.opted_out_at !== null && lead.opted_out_at < heldAt;
    return {
      status: change.status,
      opted_out_at: lead.opted_out_at ?? at,
      opt_out_scope: suppressedBefore ? 'all' : change.scope,
    };
  }
  if (lead.status !== 'held' || stillHeld) return lead;
  if (lead.opted_out_at !== null && lead.opted_out_at < heldAt) return { ...lead, status: 'opted_out' };
  return { status: change?.status ?? 'active', opted_out_at: null, opt_out_scope: null };
}
