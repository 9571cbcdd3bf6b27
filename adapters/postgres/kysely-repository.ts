import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
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

  async record(request: RecordRequest): Promise<RecordOutcome> {
    const { message, action } = request;
    return this.db.transaction().execute(async (trx) => {
      const lead = await trx
        .selectFrom('leads')
        .select('campaign_id')
        .where('phone', '=', message.sender)
        .executeTakeFirst();
      const campaignId = lead?.campaign_id ?? null;
      // The unique (provider, message_sid) decides between concurrent deliveries, not a prior read.
      const inserted = await trx
        .insertInto('inbound_messages')
        .values({
          provider: message.provider,
          message_sid: message.message_id,
          source: message.source,
          sender: message.sender,
          recipient: message.recipient,
          content: message.content,
          campaign_id: campaignId,
          received_at: message.received_at,
          raw_data: JSON.stringify(message.raw_data),
          extracted_data: JSON.stringify(message.extracted_data),
          intent: request.intent,
          confidence: request.confidence,
          action: action.name,
          reply: action.reply,
          processed_at: request.processedAt,
        })
        .onConflict((oc) => oc.columns(['provider', 'message_sid']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted === undefined) {
        const existing = await trx
          .selectFrom('inbound_messages')
          .select(['id', 'reply'])
          .where('provider', '=', message.provider)
          .where('message_sid', '=', message.message_id)
          .executeTakeFirstOrThrow();
        return { kind: 'duplicate', id: String(existing.id), reply: existing.reply };
      }
      if (action.lead !== null) await applyLeadChange(trx, message.sender, action.lead, request.processedAt);
      if (action.task !== null) {
        await trx
          .insertInto('tasks')
          .values({
            kind: action.task.kind,
            phone: message.sender,
            contact: action.task.contact,
            campaign_id: campaignId,
            message_id: inserted.id,
            due_text: action.task.due_text,
            details: JSON.stringify(action.task.details),
            created_at: request.processedAt,
          })
          .execute();
      }
      return { kind: 'stored', id: String(inserted.id), campaign_id: campaignId };
    });
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
    return Number(result.numUpdatedRows);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }
}

/**
 * Creates the lead when the number is unknown (an opt-out from a stranger must still stick).
 * A suppressed lead keeps its status until it opts back in; the first opt-out time is kept.
 */
async function applyLeadChange(trx: Transaction<Database>, phone: string, change: LeadChange, at: Date): Promise<void> {
  const suppressedAt = change.suppression === 'suppress' ? at : null;
  await trx
    .insertInto('leads')
    .values({
      phone,
      campaign_id: null,
      status: change.status,
      opted_out_at: suppressedAt,
      opt_out_scope: change.scope,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('phone').doUpdateSet({
        status:
          change.suppression === 'keep'
            ? sql`case when leads.opted_out_at is null then excluded.status else leads.status end`
            : sql`excluded.status`,
        opted_out_at:
          change.suppression === 'suppress'
            ? sql`coalesce(leads.opted_out_at, excluded.opted_out_at)`
            : change.suppression === 'lift'
              ? null
              : sql`leads.opted_out_at`,
        opt_out_scope:
          change.suppression === 'suppress'
            ? sql`case when leads.opt_out_scope is null or leads.opt_out_scope = excluded.opt_out_scope then excluded.opt_out_scope else 'all' end`
            : change.suppression === 'lift'
              ? null
              : sql`leads.opt_out_scope`,
        updated_at: at,
      }),
    )
    .execute();
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
