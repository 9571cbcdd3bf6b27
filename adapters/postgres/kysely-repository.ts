import { CompiledQuery, sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { LeadChange, LeadStatus } from '../../core/action.js';
import type { Intent } from '../../core/intent.js';
import type {
  Lead,
  RecordOutcome,
  RecordRequest,
  Repository,
  StoredMessage,
  Task,
} from '../../core/ports/repository.js';
import type { Database, InboundMessagesTable, LeadsTable, TasksTable } from './schema.js';

/** The repository over Kysely: the same SQL for Postgres (pg) and the embedded PGlite. The caller owns `db`. */
export class KyselyRepository implements Repository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The record statement's text and parameter order, compiled once per shape (see `recordStatement`). */
  private readonly statements = new Map<string, { sql: string; order: readonly RecordParameter[] }>();

  /**
   * One statement, so one round trip and its own transaction: the message insert, then, only when
   * it inserted (a known (provider, message_sid) inserts nothing), the lead change and the task, as
   * data-modifying CTEs that read the inserted row. The unique constraint decides between
   * concurrent deliveries, not a prior read.
   */
  async record(request: RecordRequest): Promise<RecordOutcome> {
    const { message, action } = request;
    const at = request.processedAt.toISOString();
    const { lead, task } = action;
    const values: RecordParameters = {
      provider: message.provider,
      messageId: message.message_id,
      source: message.source,
      sender: message.sender,
      recipient: message.recipient,
      content: message.content,
      receivedAt: message.received_at.toISOString(),
      rawData: JSON.stringify(message.raw_data),
      extractedData: JSON.stringify(message.extracted_data),
      intent: request.intent,
      confidence: request.confidence,
      action: action.name,
      reply: action.reply,
      at,
      leadStatus: lead?.status ?? null,
      suppressedAt: lead?.suppression === 'suppress' ? at : null,
      scope: lead?.scope ?? null,
      taskKind: task?.kind ?? null,
      taskContact: task?.contact ?? null,
      taskDue: task?.due_text ?? null,
      taskDetails: task === null ? null : JSON.stringify(task.details),
    };
    const statement = this.statement({ suppression: lead?.suppression ?? null, task: task !== null });
    const { rows } = await this.db.executeQuery<{ id: string; campaign_id: string | null }>(
      CompiledQuery.raw(
        statement.sql,
        statement.order.map((name) => values[name]),
      ),
    );
    const inserted = rows[0];
    if (inserted !== undefined) return { kind: 'stored', id: String(inserted.id), campaign_id: inserted.campaign_id };
    const existing = await this.db
      .selectFrom('inbound_messages')
      .select(['id', 'reply'])
      .where('provider', '=', message.provider)
      .where('message_sid', '=', message.message_id)
      .executeTakeFirstOrThrow();
    return { kind: 'duplicate', id: String(existing.id), reply: existing.reply };
  }

  /**
   * Compiling the statement showed in every webhook's profile, yet its text depends only on the
   * shape of the action: it is compiled once per shape, with a marker in place of each value, and
   * the markers give the parameters' order.
   */
  private statement(shape: RecordShape): { sql: string; order: readonly RecordParameter[] } {
    const key = `${shape.suppression}/${shape.task}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      const compiled = recordStatement(shape, (name) => ({ [PARAMETER]: name })).compile(this.db);
      const order = compiled.parameters.map((marker) => (marker as { [PARAMETER]: RecordParameter })[PARAMETER]);
      statement = { sql: compiled.sql, order };
      this.statements.set(key, statement);
    }
    return statement;
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
      .where('message_sid', '=', messageId)
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

  async purgeMessageData(before: Date): Promise<number> {
    const result = await this.db
      .updateTable('inbound_messages')
      .set({ raw_data: null, content: '', extracted_data: '{}' })
      .where('received_at', '<', before)
      .where('raw_data', 'is not', null)
      .executeTakeFirst();
    // Parts of concatenated messages hold the same text: they go once their age is reached.
    await this.db.deleteFrom('message_parts').where('received_at', '<', before).execute();
    return Number(result.numUpdatedRows);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}

const PARAMETER = Symbol('record parameter');

interface RecordParameters {
  provider: string;
  messageId: string;
  source: string;
  sender: string;
  recipient: string;
  content: string;
  receivedAt: string;
  rawData: string;
  extractedData: string;
  intent: string;
  confidence: number;
  action: string;
  reply: string | null;
  /** Processing time: `processed_at`, and the lead's and task's times. */
  at: string;
  leadStatus: string | null;
  suppressedAt: string | null;
  scope: string | null;
  taskKind: string | null;
  taskContact: string | null;
  taskDue: string | null;
  taskDetails: string | null;
}
type RecordParameter = keyof RecordParameters;

interface RecordShape {
  readonly suppression: LeadChange['suppression'] | null;
  readonly task: boolean;
}

/** The record statement of one shape; `value(name)` stands for each parameter. */
function recordStatement(shape: RecordShape, value: (name: RecordParameter) => unknown) {
  const leadChange =
    shape.suppression === null ? sql`` : sql`, lead_change as (${leadUpsert(shape.suppression, value)})`;
  const newTask = shape.task
    ? sql`, new_task as (
        insert into tasks (kind, phone, contact, campaign_id, message_id, due_text, details, created_at)
        select ${value('taskKind')}::text, ${value('sender')}::text, ${value('taskContact')}::text, ins.campaign_id,
          ins.id, ${value('taskDue')}::text, ${value('taskDetails')}::jsonb, ${value('at')}::timestamptz
        from ins)`
    : sql``;
  return sql<{ id: string; campaign_id: string | null }>`
    with ins as (
      insert into inbound_messages (provider, message_sid, source, sender, recipient, content, campaign_id,
        received_at, raw_data, extracted_data, intent, confidence, action, reply, processed_at)
      values (${value('provider')}, ${value('messageId')}, ${value('source')}, ${value('sender')},
        ${value('recipient')}, ${value('content')}, (select campaign_id from leads where phone = ${value('sender')}),
        ${value('receivedAt')}::timestamptz, ${value('rawData')}::jsonb, ${value('extractedData')}::jsonb,
        ${value('intent')}, ${value('confidence')}, ${value('action')}, ${value('reply')}, ${value('at')}::timestamptz)
      on conflict (provider, message_sid) do nothing
      returning id, campaign_id
    )${leadChange}${newTask}
    select id, campaign_id from ins`;
}

/**
 * The lead change of a stored message, as an insert from `ins` (so nothing happens for a duplicate).
 * Creates the lead when the number is unknown (an opt-out from a stranger must still stick).
 * A suppressed lead keeps its status until it opts back in; the first opt-out time is kept.
 */
function leadUpsert(suppression: LeadChange['suppression'], value: (name: RecordParameter) => unknown) {
  const status =
    suppression === 'keep'
      ? sql`case when leads.opted_out_at is null then excluded.status else leads.status end`
      : sql`excluded.status`;
  const optedOutAt =
    suppression === 'suppress'
      ? sql`coalesce(leads.opted_out_at, excluded.opted_out_at)`
      : suppression === 'lift'
        ? sql`null`
        : sql`leads.opted_out_at`;
  const scope =
    suppression === 'suppress'
      ? sql`case when leads.opt_out_scope is null or leads.opt_out_scope = excluded.opt_out_scope then excluded.opt_out_scope else 'all' end`
      : suppression === 'lift'
        ? sql`null`
        : sql`leads.opt_out_scope`;
  return sql`
    insert into leads (phone, campaign_id, status, opted_out_at, opt_out_scope, created_at, updated_at)
    select ${value('sender')}::text, null, ${value('leadStatus')}::text, ${value('suppressedAt')}::timestamptz,
      ${value('scope')}::text, ${value('at')}::timestamptz, ${value('at')}::timestamptz
    from ins
    on conflict (phone) do update set status = ${status}, opted_out_at = ${optedOutAt}, opt_out_scope = ${scope},
      updated_at = excluded.updated_at`;
}

function toMessage(row: Selectable<InboundMessagesTable>): StoredMessage {
  return {
    id: String(row.id),
    source: 'sms',
    provider: row.provider,
    message_id: row.message_sid,
    sender: row.sender,
    recipient: row.recipient,
    content: row.content,
    campaign_id: row.campaign_id,
    received_at: row.received_at,
    extracted_data: row.extracted_data,
    raw_data: row.raw_data ?? {},
    intent: row.intent as Intent,
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
    status: row.status as LeadStatus,
    opted_out_at: row.opted_out_at,
    opt_out_scope: row.opt_out_scope,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: String(row.id),
    kind: row.kind as Task['kind'],
    phone: row.phone,
    contact: row.contact,
    campaign_id: row.campaign_id,
    message_id: String(row.message_id),
    due_text: row.due_text,
    details: row.details,
    status: row.status as Task['status'],
    created_at: row.created_at,
  };
}
