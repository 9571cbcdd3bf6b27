import type { Scope } from './action.js';

/** A change of what a number may receive, as the ledger (`consent_events`) keeps it. */
export type ConsentEventKind = 'opt_out' | 'opt_in' | 'hold' | 'release' | 'suppress' | 'import';

/** Where a change of permission came from. */
export type ConsentSource = 'reply' | 'provider_keyword' | 'delivery_error' | 'import' | 'operator' | 'review';

export const CONSENT_SOURCES: readonly ConsentSource[] = [
  'reply',
  'provider_keyword',
  'delivery_error',
  'import',
  'operator',
  'review',
];

/** What proves a change: the message or delivery it came from, the words or the error code, who. */
export interface ConsentEvidence {
  /** Our stored message (`inbound_messages.id`) or the provider's delivery id. */
  readonly inbound_message_id?: string;
  readonly delivery?: { readonly provider: string; readonly message_id: string };
  /** The prospect's exact words. */
  readonly words?: string;
  readonly error_code?: string;
  readonly intent?: string;
  readonly confidence?: number;
  readonly interpreter_version?: string;
  readonly signature_verified?: boolean;
  /** A person (reviewer, operator) or a tool. */
  readonly by?: string;
  /** An import: the file's name and SHA-256. */
  readonly file?: { readonly name: string; readonly sha256: string };
  readonly reason?: string;
}

export interface ConsentEvent {
  readonly phone: string;
  readonly event: ConsentEventKind;
  /** What it covers; for `opt_in`, `hold` and `release`, `all`. */
  readonly scope: Scope;
  readonly source: ConsentSource;
  readonly evidence: ConsentEvidence;
  readonly occurred_at: Date;
}

/** A number's permissions as its ledger gives them. */
export interface Permissions {
  readonly sms: boolean;
  readonly calls: boolean;
  /** Why not, when one is refused: the event that decided it. */
  readonly reason: string | null;
}

interface State {
  /** Scopes refused by an opt-out, a suppression or an import, with the event that refused each. */
  readonly refused: ReadonlyMap<'sms' | 'calls', ConsentEvent>;
  /** Open holds (a reply waits for a person), by the message held. */
  readonly holds: ReadonlyMap<string, ConsentEvent>;
}

const EMPTY: State = { refused: new Map(), holds: new Map() };

function channels(scope: Scope): ('sms' | 'calls')[] {
  return scope === 'all' ? ['sms', 'calls'] : [scope];
}

function describe(event: ConsentEvent): string {
  const code = event.evidence.error_code === undefined ? '' : ` ${event.evidence.error_code}`;
  return `${event.event} (${event.source}${code}) ${event.occurred_at.toISOString()}`;
}

/** One event applied to a number's state. */
function apply(state: State, event: ConsentEvent): State {
  const refused = new Map(state.refused);
  const holds = new Map(state.holds);
  const held = event.evidence.inbound_message_id ?? '';
  switch (event.event) {
    case 'opt_out':
    case 'suppress':
    case 'import':
      for (const channel of channels(event.scope)) if (!refused.has(channel)) refused.set(channel, event);
      break;
    case 'opt_in':
      // START lifts every refusal and every hold (the prospect said so themselves).
      return EMPTY;
    case 'hold':
      holds.set(held, event);
      break;
    case 'release':
      holds.delete(held);
      break;
  }
  return { refused, holds };
}

/** The permissions a state gives, with the event that decided a refusal (the earliest in force). */
function decide(state: State): Permissions & { readonly decided: ConsentEvent | null } {
  const held = [...state.holds.values()][0];
  if (held !== undefined) return { sms: false, calls: false, reason: 'held for review', decided: held };
  const sms = state.refused.get('sms');
  const calls = state.refused.get('calls');
  const decided = [sms, calls]
    .filter((event) => event !== undefined)
    .sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime())[0];
  return {
    sms: sms === undefined,
    calls: calls === undefined,
    reason: decided === undefined ? null : describe(decided),
    decided: decided ?? null,
  };
}

/** The lead's `opt_out_scope` for these permissions: null when nothing is refused. */
export function refusedScope(permissions: Permissions): Scope | null {
  if (permissions.sms && permissions.calls) return null;
  if (!permissions.sms && !permissions.calls) return 'all';
  return permissions.sms ? 'calls' : 'sms';
}

/**
 * What a number may receive, replaying its ledger oldest first: the source of truth the `leads`
 * columns are kept in step with (a test replays random histories and compares).
 */
export function permissionsOf(events: readonly ConsentEvent[]): Permissions {
  const { sms, calls, reason } = decide(events.reduce(apply, EMPTY));
  return { sms, calls, reason };
}

/** A refused number as a suppression list holds it: since when, for what, decided by what. */
export interface Suppression {
  readonly phone: string;
  readonly since: Date;
  readonly scope: Scope;
  readonly source: ConsentSource;
}

/** Every number its ledger refuses something, from the whole ledger (oldest first). */
export function suppressionsOf(events: readonly ConsentEvent[]): Suppression[] {
  const states = new Map<string, State>();
  for (const event of events) states.set(event.phone, apply(states.get(event.phone) ?? EMPTY, event));
  return [...states].flatMap(([phone, state]) => {
    const permissions = decide(state);
    const scope = refusedScope(permissions);
    const decided = permissions.decided as ConsentEvent;
    return scope === null ? [] : [{ phone, since: decided.occurred_at, scope, source: decided.source }];
  });
}
