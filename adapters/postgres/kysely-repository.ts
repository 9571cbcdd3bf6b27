import { CompiledQuery, sql } from 'kysely';
import type { Kysely, RawBuilder, Selectable } from 'kysely';
import { CANCELLING_EVENTS, leadAfterReview, leadChangeOf, PERMISSION_ACTIONS } from '../../core/action.js';
import { releaseHold, reviewConsent } from '../../core/action.js';
import { permissionsOf } from '../../core/consent.js';
import type { ConsentChange } from '../../core/action.js';
import type { ConsentEvent, ConsentEvidence } from '../../core/consent.js';
import { DELIVERY_RANK } from '../../core/delivery.js';
import { storage } from '../../core/errors.js';
import type { ActionName, LeadChange, LeadStatus, Scope, TaskKind } from '../../core/action.js';
import type { InboundMessage } from '../../core/inbound-message.js';
import type { Intent } from '../../core/intent.js';
import type {
  CampaignReport,
  Delivery,
  DeliveryOutcome,
  DeliveryRequest,
  Lead,
  RecordOutcome,
  RecordRequest,
  Repository,
  ResolveOutcome,
  Review,
  ReviewExample,
  ReviewResolution,
  StoredMessage,
  Task,
} from '../../core/ports/repository.js';
import type { Database, InboundMessagesTable, LeadsTable, TasksTable } from './schema.js';
import type { Transaction } from 'kysely';
import { WriteBatcher } from './write-batcher.js';

/** A task id as the bigint column holds it: anything else names no task (and must not reach the query). */
const TASK_ID = /^\d{1,18}$/;

/** The repository over Kysely: the same SQL for Postgres (pg) and the embedded PGlite. The caller owns `db`. */
export class KyselyRepository implements Repository {
  private readonly batcher: WriteBatcher<RecordRequest, RecordOutcome>;

  constructor(private readonly db: Kysely<Database>) {
    this.batcher = new WriteBatcher({
      write: (requests) => this.recordAll(requests),
      // One lead row and one message key per batch: a batch's upsert cannot touch a row twice,
      // and two batches never wait on each other's rows. Writing a failed batch again is safe even
      // if it had committed (a lost answer): the statement is idempotent, repeats come back as duplicates.
      keysOf: ({ message }) => [`sender:${message.sender}`, messageKey(message)],
      // One statement at a time, 16 messages at most: the best of those measured by `npm run bench`.
      concurrency: 1,
      maxBatch: 16,
    });
  }

  /**
   * Stores the message and applies its action in one statement. Concurrent calls are written
   * together, as one statement and one commit (see `WriteBatcher`); each call still resolves only
   * once its message is committed.
   */
  record(request: RecordRequest): Promise<RecordOutcome> {
    return storage('recording a message', () => this.batcher.add(request));
  }

  private async recordAll(requests: readonly RecordRequest[]): Promise<RecordOutcome[]> {
    const rows = requests.map(recordRow);
    const { rows: inserted } = await this.db.executeQuery<{ key: string; id: string; campaign_id: string | null }>(
      CompiledQuery.raw(RECORD_STATEMENT, [JSON.stringify(rows)]),
    );
    const stored = new Map(inserted.map((row) => [row.key, row]));
    return Promise.all(
      requests.map(async ({ message }, i): Promise<RecordOutcome> => {
        const row = stored.get(rows[i]!.key);
        if (row !== undefined) return { kind: 'stored', id: String(row.id), campaign_id: row.campaign_id };
        const existing = await this.db
          .selectFrom('inbound_messages')
          .select(['id', 'reply'])
          .where('provider', '=', message.provider)
          .where('message_id', '=', message.message_id)
          .executeTakeFirstOrThrow();
        return { kind: 'duplicate', id: String(existing.id), reply: existing.reply };
      }),
    );
  }

  async saveLead(phone: string, campaignId: string | null, at: Date): Promise<void> {
    await this.db
      .insertInto('leads')
      .values({ phone, campaign_id: campaignId, status: 'active', created_at: at, updated_at: at })
      .onConflict((oc) => oc.column('phone').doUpdateSet({ campaign_id: campaignId, updated_at: at }))
      .execute();
  }

  async findMessage(provider: string, messageId: string): Promise<StoredMessage | undefined> {
    const row = await this.db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('provider', '=', provider)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async findLead(phone: string): Promise<Lead | undefined> {
    const row = await this.db.selectFrom('leads').selectAll().where('phone', '=', phone).executeTakeFirst();
    return row && toLead(row);
  }

  async listLeads(status?: LeadStatus): Promise<Lead[]> {
    let query = this.db.selectFrom('leads').selectAll().orderBy('updated_at', 'desc').orderBy('id', 'desc');
    if (status !== undefined) query = query.where('status', '=', status);
    return (await query.execute()).map(toLead);
  }

  async listOpenTasks(): Promise<Task[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('status', '=', 'open')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toTask);
  }

  async listReviews(): Promise<Review[]> {
    const rows = await this.reviews()
      .where('tasks.status', '=', 'open')
      .orderBy('tasks.created_at')
      .orderBy('tasks.id')
      .execute();
    return rows.map((row) => ({ ...toTask(row), text: row.text, received_at: row.received_at }));
  }

  async findReview(taskId: string): Promise<Review | undefined> {
    if (!TASK_ID.test(taskId)) return undefined;
    const row = await this.reviews().where('tasks.id', '=', taskId).executeTakeFirst();
    return row && { ...toTask(row), text: row.text, received_at: row.received_at };
  }

  private reviews() {
    return this.db
      .selectFrom('tasks')
      .innerJoin('inbound_messages as m', 'm.id', 'tasks.inbound_message_id')
      .selectAll('tasks')
      .select(['m.content as text', 'm.received_at as received_at'])
      .where('tasks.kind', '=', 'review');
  }

  /** Rare and made by a person: plain statements in a transaction, the task and the lead locked. */
  async resolveReview({ taskId, intent, action, reviewer, at }: ReviewResolution): Promise<ResolveOutcome> {
    if (!TASK_ID.test(taskId)) return { kind: 'not_found' };
    return this.db.transaction().execute(async (trx): Promise<ResolveOutcome> => {
      const task = await trx
        .selectFrom('tasks')
        .innerJoin('inbound_messages as m', 'm.id', 'tasks.inbound_message_id')
        .selectAll('tasks')
        .select('m.content as text')
        .where('tasks.id', '=', taskId)
        .where('tasks.kind', '=', 'review')
        .forUpdate()
        .executeTakeFirst();
      if (task === undefined) return { kind: 'not_found' };
      if (task.status !== 'open') return { kind: 'already_resolved' };
      const resolution = { intent, reviewer, at: at.toISOString() };
      await trx
        .updateTable('tasks')
        .set({ status: 'done', details: JSON.stringify({ ...task.details, resolution }) })
        .where('id', '=', taskId)
        .execute();
      const lead = await trx
        .selectFrom('leads')
        .selectAll()
        .where('phone', '=', task.phone)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const other = await trx
        .selectFrom('tasks')
        .select('id')
        .where('phone', '=', task.phone)
        .where('kind', '=', 'review')
        .where('status', '=', 'open')
        .executeTakeFirst();
      const heldMessage = String(task.inbound_message_id);
      for (const { change, evidence } of reviewConsent(heldMessage, intent, action, reviewer))
        await appendConsent(trx, task.phone, change, evidence, at);
      const released = releaseHold(toLead(lead), action.lead, task.created_at, other !== undefined, at);
      const next = leadAfterReview(released, permissionsOf(await history(trx, task.phone)), at);
      await trx
        .updateTable('leads')
        .set({ ...next, updated_at: at })
        .where('phone', '=', task.phone)
        .execute();
      if (action.task !== null) {
        await trx
          .insertInto('tasks')
          .values({
            kind: action.task.kind,
            phone: task.phone,
            contact: action.task.contact,
            campaign_id: task.campaign_id,
            inbound_message_id: task.inbound_message_id,
            due_text: action.task.due_text,
            details: JSON.stringify(action.task.details),
            created_at: at,
          })
          .execute();
      }
      const readAs = task.details['read_as'] as Intent; // every review task says what was read (planAction)
      await trx
        .insertInto('review_examples')
        .values({
          inbound_message_id: task.inbound_message_id,
          text: task.text,
          read_as: readAs,
          intent,
          reviewer,
          resolved_at: at,
        })
        .execute();
      return { kind: 'resolved', phone: task.phone, lead_status: next.status };
    });
  }

  async listReviewExamples(): Promise<ReviewExample[]> {
    const rows = await this.db
      .selectFrom('review_examples')
      .select(['text', 'read_as', 'intent', 'resolved_at'])
      .orderBy('resolved_at')
      .orderBy('id')
      .execute();
    return rows;
  }

  async purgeMessageData(before: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('inbound_messages')
        .set((eb) => ({
          raw_data: null,
          content: '',
          extracted_data: '{}',
          // The sender of a message that changed the number's permission is the proof of it.
          sender: eb.case().when('action', 'in', PERMISSION_ACTIONS).then(eb.ref('sender')).else('').end(),
        }))
        .where('received_at', '<', before)
        .where('raw_data', 'is not', null)
        .executeTakeFirst();
      await trx
        .updateTable('tasks')
        .set({ contact: '', details: '{}', due_text: null })
        .where('created_at', '<', before)
        .where('contact', '!=', '')
        .execute();
      await trx.deleteFrom('review_examples').where('resolved_at', '<', before).execute();
      // Parts of concatenated messages hold the same text: they go once their age is reached.
      await trx.deleteFrom('message_parts').where('received_at', '<', before).execute();
      return Number(result.numUpdatedRows);
    });
  }

  /** Rare (receipts that fail, imports, operators): plain statements in one transaction. */
  async recordConsent(events: readonly ConsentEvent[]): Promise<void> {
    await storage('recording a change of permission', () =>
      this.db.transaction().execute(async (trx) => {
        for (const event of events) await applyConsent(trx, event);
      }),
    );
  }

  /**
   * One transaction: the (provider, message, status) is inserted once (a repeat changes nothing),
   * the message's state moves only to a higher rank, and the consent, if any, is appended while
   * the number still receives SMS (a temporary failure's only once enough of them happened).
   */
  recordDelivery({ receipt, consent, temporary }: DeliveryRequest): Promise<DeliveryOutcome> {
    return storage('recording a delivery receipt', () =>
      this.db.transaction().execute(async (trx): Promise<DeliveryOutcome> => {
        // What the event and the message's state both hold.
        const { provider, message_id, recipient, status: reported, error_code } = receipt;
        const shared = { provider, message_id, recipient, status: reported, error_code };
        const raw = JSON.stringify(receipt.raw_data);
        const inserted = await trx
          .insertInto('delivery_events')
          .values({ ...shared, error_class: receipt.error_class, received_at: receipt.received_at, raw_data: raw })
          .onConflict((oc) => oc.columns(['provider', 'message_id', 'status']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted === undefined) return { kind: 'repeated' };
        const lead = await trx
          .selectFrom('leads')
          .select(['campaign_id', 'opt_out_scope'])
          .where('phone', '=', receipt.recipient)
          .forUpdate()
          .executeTakeFirst();
        const { status } = await trx
          .insertInto('deliveries')
          .values({ ...shared, campaign_id: lead?.campaign_id ?? null, updated_at: receipt.received_at, raw_data: raw })
          .onConflict((oc) =>
            oc
              .columns(['provider', 'message_id'])
              .doUpdateSet((eb) => ({
                status: eb.ref('excluded.status'),
                error_code: eb.ref('excluded.error_code'),
                updated_at: eb.ref('excluded.updated_at'),
                raw_data: eb.ref('excluded.raw_data'),
              }))
              .where(sql<boolean>`${rank(sql.ref('deliveries.status'))} < ${rank(sql.ref('excluded.status'))}`),
          )
          .returning('status')
          .executeTakeFirst()
          .then(async (row) => row ?? (await currentDelivery(trx, receipt.provider, receipt.message_id)));
        const receives = lead?.opt_out_scope !== 'sms' && lead?.opt_out_scope !== 'all';
        if (consent === null || !receives || !(await reached(trx, receipt, temporary)))
          return { kind: 'recorded', status, consent: null };
        await applyConsent(trx, consent);
        return { kind: 'recorded', status, consent };
      }),
    );
  }

  async findDelivery(provider: string, messageId: string): Promise<Delivery | undefined> {
    return this.db
      .selectFrom('deliveries')
      .select(['provider', 'message_id', 'recipient', 'status', 'error_code', 'campaign_id', 'updated_at'])
      .where('provider', '=', provider)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
  }

  consentHistory(phone: string): Promise<ConsentEvent[]> {
    return history(this.db, phone);
  }

  async campaignReport(campaignId: string, since: Date): Promise<CampaignReport> {
    const count = (rows: { key: string | null; n: string | number | bigint }[]) =>
      Object.fromEntries(rows.map((row) => [row.key ?? 'none', Number(row.n)]));
    const sent = () =>
      this.db.selectFrom('deliveries').where('campaign_id', '=', campaignId).where('updated_at', '>=', since);
    const deliveries = await sent()
      .select((eb) => ['status as key', eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .orderBy('status')
      .execute();
    const errors = await sent()
      .where('status', 'in', ['failed', 'undelivered'])
      .select((eb) => ['error_code as key', eb.fn.countAll<string>().as('n')])
      .groupBy('error_code')
      .orderBy('error_code')
      .execute();
    const intents = await this.db
      .selectFrom('inbound_messages')
      .select((eb) => ['intent as key', eb.fn.countAll<string>().as('n')])
      .where('campaign_id', '=', campaignId)
      .where('received_at', '>=', since)
      .groupBy('intent')
      .orderBy('intent')
      .execute();
    const { n } = await this.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', campaignId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    return {
      campaign_id: campaignId,
      deliveries: count(deliveries),
      errors: count(errors),
      intents: count(intents),
      open_tasks: Number(n),
    };
  }

  listConsent(): Promise<ConsentEvent[]> {
    return ledger(this.db).execute();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}

/** A delivery status's rank in SQL (core DELIVERY_RANK): a message's state never moves down. */
function rank(status: RawBuilder<unknown>): RawBuilder<number> {
  const cases = Object.entries(DELIVERY_RANK).map(([name, value]) => sql`when ${sql.lit(name)} then ${sql.lit(value)}`);
  return sql<number>`(case ${status} ${sql.join(cases, sql` `)} else 0 end)`;
}

async function currentDelivery(trx: Transaction<Database>, provider: string, messageId: string) {
  return trx
    .selectFrom('deliveries')
    .select('status')
    .where('provider', '=', provider)
    .where('message_id', '=', messageId)
    .executeTakeFirstOrThrow();
}

/** Whether a temporary failure's suppression is due: enough of them within the window (always, for others). */
async function reached(
  trx: Transaction<Database>,
  receipt: DeliveryRequest['receipt'],
  temporary: DeliveryRequest['temporary'],
): Promise<boolean> {
  if (temporary === null) return true;
  const since = new Date(receipt.received_at.getTime() - temporary.days * 86_400_000);
  const { count } = await trx
    .selectFrom('delivery_events')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('recipient', '=', receipt.recipient)
    .where('error_class', '=', 'temporary')
    .where('received_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(count) >= temporary.failures;
}

/** A number's ledger, oldest first. */
function history(db: Kysely<Database>, phone: string): Promise<ConsentEvent[]> {
  return ledger(db).where('phone', '=', phone).execute();
}

/** The ledger's events, oldest first. */
function ledger(db: Kysely<Database>) {
  return db
    .selectFrom('consent_events')
    .select(['phone', 'event', 'scope', 'source', 'evidence', 'occurred_at'])
    .orderBy('id');
}

/** A change of permission from outside a reply: its lead change, then its ledger event. */
async function applyConsent(trx: Transaction<Database>, consent: ConsentEvent): Promise<void> {
  const { phone, event, scope, source, evidence, occurred_at: at } = consent;
  const change = leadChangeOf(event, scope);
  if (change !== null) await applyLeadChange(trx, phone, change, at);
  await appendConsent(trx, phone, { event, scope, source }, evidence, at);
}

/** A ledger event; an opt-out, a suppression or an import cancels the number's open tasks. */
async function appendConsent(
  trx: Transaction<Database>,
  phone: string,
  change: ConsentChange,
  evidence: ConsentEvidence,
  at: Date,
): Promise<void> {
  await trx
    .insertInto('consent_events')
    .values({ phone, ...change, evidence: JSON.stringify(evidence), occurred_at: at })
    .execute();
  if (!CANCELLING_EVENTS.includes(change.event)) return;
  await trx
    .updateTable('tasks')
    .set({ status: 'cancelled', cancel_reason: `${change.event} (${change.source})` })
    .where('phone', '=', phone)
    .where('status', '=', 'open')
    .execute();
}

/** A lead change outside the record statement, with the same semantics (see RECORD_STATEMENT). */
async function applyLeadChange(trx: Transaction<Database>, phone: string, change: LeadChange, at: Date) {
  const lifted = change.suppression === 'lift';
  await trx
    .insertInto('leads')
    .values({
      phone,
      campaign_id: null,
      status: change.status,
      opted_out_at: lifted ? null : at,
      opt_out_scope: change.scope,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('phone').doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        opted_out_at: lifted ? null : sql`coalesce(leads.opted_out_at, excluded.opted_out_at)`,
        opt_out_scope: lifted
          ? null
          : sql`case when leads.opt_out_scope is null or leads.opt_out_scope = excluded.opt_out_scope
              then excluded.opt_out_scope else 'all' end`,
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** A message's identity, unique within a batch: ties a returned row to its request. */
function messageKey(message: InboundMessage): string {
  return `${message.provider}:${message.message_id}`;
}

/** One message of the record statement, as a JSON object (the statement reads a JSON array of them). */
interface RecordRow {
  /** `messageKey` of the message. */
  readonly key: string;
  readonly provider: string;
  readonly message_id: string;
  readonly source: InboundMessage['source'];
  readonly sender: string;
  readonly recipient: string;
  readonly content: string;
  readonly received_at: string;
  readonly raw_data: Readonly<Record<string, unknown>>;
  readonly extracted_data: Readonly<Record<string, unknown>>;
  readonly intent: Intent;
  readonly confidence: number;
  readonly action: ActionName;
  readonly reply: string | null;
  /** Processing time: `processed_at`, and the lead's and task's times. */
  readonly processed_at: string;
  readonly lead_status: LeadStatus | null;
  readonly suppression: LeadChange['suppression'] | null;
  readonly opt_out_scope: Scope | null;
  readonly task_kind: TaskKind | null;
  readonly task_contact: string | null;
  readonly task_due: string | null;
  readonly task_details: Readonly<Record<string, unknown>> | null;
  readonly consent_event: ConsentChange['event'] | null;
  readonly consent_scope: ConsentChange['scope'] | null;
  readonly consent_source: ConsentChange['source'] | null;
  /** The ledger's evidence; the statement adds the stored message's id. */
  readonly consent_evidence: ConsentEvidence | null;
}

/**
 * The SQL type of each field of a RecordRow, in the statement's order: the statement's column list
 * is made from it, and the compiler checks it names every field of RecordRow and nothing else.
 */
const RECORD_COLUMNS = {
  key: 'text',
  provider: 'text',
  message_id: 'text',
  source: 'text',
  sender: 'text',
  recipient: 'text',
  content: 'text',
  received_at: 'timestamptz',
  raw_data: 'jsonb',
  extracted_data: 'jsonb',
  intent: 'text',
  confidence: 'double precision',
  action: 'text',
  reply: 'text',
  processed_at: 'timestamptz',
  lead_status: 'text',
  suppression: 'text',
  opt_out_scope: 'text',
  task_kind: 'text',
  task_contact: 'text',
  task_due: 'text',
  task_details: 'jsonb',
  consent_event: 'text',
  consent_scope: 'text',
  consent_source: 'text',
  consent_evidence: 'jsonb',
} as const satisfies Record<keyof RecordRow, string>;

/** The message columns the statement inserts, each checked against the table's type. */
const MESSAGE_COLUMNS = [
  'provider',
  'message_id',
  'source',
  'sender',
  'recipient',
  'content',
  'received_at',
  'raw_data',
  'extracted_data',
  'intent',
  'confidence',
  'action',
  'reply',
  'processed_at',
] as const satisfies readonly (keyof InboundMessagesTable & keyof RecordRow)[];

function recordRow({ message, intent, confidence, action, processedAt, interpreterVersion }: RecordRequest): RecordRow {
  const { lead, task } = action;
  return {
    key: messageKey(message),
    provider: message.provider,
    message_id: message.message_id,
    source: message.source,
    sender: message.sender,
    recipient: message.recipient,
    content: message.content,
    received_at: message.received_at.toISOString(),
    raw_data: message.raw_data,
    extracted_data: message.extracted_data,
    intent,
    confidence,
    action: action.name,
    reply: action.reply,
    processed_at: processedAt.toISOString(),
    lead_status: lead?.status ?? null,
    suppression: lead?.suppression ?? null,
    opt_out_scope: lead?.scope ?? null,
    task_kind: task?.kind ?? null,
    task_contact: task?.contact ?? null,
    task_due: task?.due_text ?? null,
    task_details: task?.details ?? null,
    consent_event: action.consent?.event ?? null,
    consent_scope: action.consent?.scope ?? null,
    consent_source: action.consent?.source ?? null,
    consent_evidence:
      action.consent === null
        ? null
        : {
            words: message.content,
            intent,
            confidence,
            signature_verified: true,
            ...(interpreterVersion === undefined ? {} : { interpreter_version: interpreterVersion }),
          },
  };
}

/**
 * The record statement, for any number of messages given as one JSON array ($1): one round trip
 * and one transaction. The messages are inserted first; only those that inserted (a known
 * (provider, message_id) inserts nothing, and the unique constraint decides between concurrent
 * deliveries, not a prior read) then change their lead and create their task, in data-modifying
 * CTEs that read the inserted rows. The campaign is the sender's lead's.
 *
 * The lead change depends on what happens to the opt-out, one CTE per case. Every case creates
 * the lead when the number is unknown (an opt-out from a stranger must still stick). `keep`: a
 * suppressed lead keeps its status until it opts back in. `suppress`: the first opt-out time is
 * kept, and two different scopes make `all`. `lift`: the opt-out goes.
 *
 * Raw SQL, not Kysely's builder: the batch comes from `jsonb_to_recordset(...) as batch(column
 * type, ...)`, a column definition list Kysely's builder has no form for, and four data-modifying
 * CTEs read the rows the first one inserted. What can drift is typed instead: its input columns
 * come from RECORD_COLUMNS (checked against RecordRow) and its inserted columns from
 * MESSAGE_COLUMNS (checked against the table). Its text never changes, so each connection prepares
 * it once, and Postgres soon keeps one generic plan for it, made with the statistics of that moment
 * (a new database's nearly empty tables) until an ANALYZE replaces it. So the one part whose cost
 * depends on a table's size, cancelling the open tasks of the numbers that opted out, is not in
 * the plan: `cancelled` calls `cancel_open_tasks` (migration 2026-11-29-004), whose UPDATE is
 * planned at each call, and only when the batch cancels something (`having`); the final select
 * joins it so that it runs. As a join in this statement, planned over a nearly empty `tasks`, it
 * read every open task at each write (npm run bench: 86 million index rows in 6,582 statements).
 */
const RECORD_STATEMENT = `
with batch as (
  select * from jsonb_to_recordset($1::jsonb) as batch(${Object.entries(RECORD_COLUMNS)
    .map(([column, type]) => `${column} ${type}`)
    .join(', ')})
), ins as (
  insert into inbound_messages (${MESSAGE_COLUMNS.join(', ')}, campaign_id)
  select ${MESSAGE_COLUMNS.join(', ')}, (select campaign_id from leads where phone = batch.sender)
  from batch
  on conflict (provider, message_id) do nothing
  returning id, provider, message_id, campaign_id
), stored as (
  select ins.id, ins.campaign_id, batch.* from ins join batch using (provider, message_id)
), lead_kept as (
  insert into leads (phone, campaign_id, status, opted_out_at, opt_out_scope, created_at, updated_at)
  select sender, null, lead_status, null, opt_out_scope, processed_at, processed_at
  from stored where suppression = 'keep'
  on conflict (phone) do update set
    status = case when leads.opted_out_at is null then excluded.status else leads.status end,
    updated_at = excluded.updated_at
), lead_suppressed as (
  insert into leads (phone, campaign_id, status, opted_out_at, opt_out_scope, created_at, updated_at)
  select sender, null, lead_status, processed_at, opt_out_scope, processed_at, processed_at
  from stored where suppression = 'suppress'
  on conflict (phone) do update set status = excluded.status,
    opted_out_at = coalesce(leads.opted_out_at, excluded.opted_out_at),
    opt_out_scope = case when leads.opt_out_scope is null or leads.opt_out_scope = excluded.opt_out_scope
      then excluded.opt_out_scope else 'all' end,
    updated_at = excluded.updated_at
), lead_lifted as (
  insert into leads (phone, campaign_id, status, opted_out_at, opt_out_scope, created_at, updated_at)
  select sender, null, lead_status, null, opt_out_scope, processed_at, processed_at
  from stored where suppression = 'lift'
  on conflict (phone) do update set status = excluded.status, opted_out_at = null, opt_out_scope = null,
    updated_at = excluded.updated_at
), new_task as (
  insert into tasks (kind, phone, contact, campaign_id, inbound_message_id, due_text, details, created_at)
  select task_kind, sender, task_contact, campaign_id, id, task_due, task_details, processed_at
  from stored where task_kind is not null
), consent as (
  insert into consent_events (phone, event, scope, source, evidence, occurred_at)
  select sender, consent_event, consent_scope, consent_source,
    consent_evidence || jsonb_build_object('inbound_message_id', id::text), processed_at
  from stored where consent_event is not null
), cancelling as (
  select sender, consent_event || ' (' || consent_source || ')' as reason from stored
  where consent_event in (${CANCELLING_EVENTS.map((event) => `'${event}'`).join(', ')})
), cancelled as (
  select cancel_open_tasks(array_agg(sender), array_agg(reason)) from cancelling having count(*) > 0
)
select key, id, campaign_id from stored left join cancelled on true`;

function toMessage(row: Selectable<InboundMessagesTable>): StoredMessage {
  return {
    id: String(row.id),
    source: 'sms',
    provider: row.provider,
    message_id: row.message_id,
    sender: row.sender,
    recipient: row.recipient,
    content: row.content,
    campaign_id: row.campaign_id,
    received_at: row.received_at,
    extracted_data: row.extracted_data,
    raw_data: row.raw_data ?? {},
    intent: row.intent,
    confidence: row.confidence,
    action: row.action,
    reply: row.reply,
    processed_at: row.processed_at,
  };
}

function toLead(row: Selectable<LeadsTable>): Lead {
  return {
    phone: row.phone,
    campaign_id: row.campaign_id,
    status: row.status,
    opted_out_at: row.opted_out_at,
    opt_out_scope: row.opt_out_scope,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: String(row.id),
    kind: row.kind,
    phone: row.phone,
    contact: row.contact,
    campaign_id: row.campaign_id,
    inbound_message_id: String(row.inbound_message_id),
    due_text: row.due_text,
    details: row.details,
    status: row.status,
    cancel_reason: row.cancel_reason,
    created_at: row.created_at,
  };
}
