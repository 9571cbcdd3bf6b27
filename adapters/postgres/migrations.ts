import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationResult } from 'kysely';
import type { Database } from './schema.js';

/** The schema, shared by Postgres and PGlite. Append new migrations; never edit a released one. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-24-001-inbound-pipeline': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('inbound_messages')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('message_sid', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('sms'))
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text')
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('raw_data', 'jsonb')
        .addColumn('extracted_data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reply', 'text')
        .addColumn('processed_at', 'timestamptz')
        .addUniqueConstraint('inbound_messages_provider_message_sid_key', ['provider', 'message_sid'])
        .execute();
      await db.schema.createIndex('inbound_messages_sender_idx').on('inbound_messages').column('sender').execute();
      await db.schema
        .createIndex('inbound_messages_received_at_idx')
        .on('inbound_messages')
        .column('received_at')
        .execute();

      await db.schema
        .createTable('leads')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('phone', 'text', (c) => c.notNull().unique())
        .addColumn('campaign_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('opted_out_at', 'timestamptz')
        .addColumn('opt_out_scope', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('leads_status_idx').on('leads').column('status').execute();

      await db.schema
        .createTable('tasks')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('contact', 'text', (c) => c.notNull())
        .addColumn('campaign_id', 'text')
        .addColumn('message_id', 'bigint', (c) => c.notNull().references('inbound_messages.id').onDelete('cascade'))
        .addColumn('due_text', 'text')
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('tasks_status_idx').on('tasks').columns(['status', 'created_at']).execute();
    },
  },
  '2026-11-25-001-message-parts': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('message_parts')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('part', 'integer', (c) => c.notNull())
        .addColumn('raw_data', 'jsonb', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('group_key', 'text')
        .addUniqueConstraint('message_parts_provider_message_id_key', ['provider', 'message_id'])
        .execute();
      await db.schema
        .createIndex('message_parts_waiting_idx')
        .on('message_parts')
        .columns(['provider', 'sender', 'ref'])
        .where(sql.ref('group_key'), 'is', null)
        .execute();
      await db.schema.createIndex('message_parts_group_idx').on('message_parts').column('group_key').execute();
    },
  },
  /**
   * Every webhook writes a message and a lead: each index on them is one more write per webhook.
   * The status of leads takes a handful of values (a scan reads them as fast); the purge finds old
   * messages by `received_at`, which grows with the rows, so a BRIN index serves it at a fraction of
   * a B-tree's cost (measured by `npm run bench`). A lead's row is rewritten by each of its
   * replies: with a fifth of every page left free, the new version fits beside the old one and no
   * index is touched (a HOT update) instead of two.
   */
  '2026-11-25-002-lighter-indexes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('leads_status_idx').execute();
      await sql`alter table leads set (fillfactor = 80)`.execute(db);
      await db.schema.dropIndex('inbound_messages_received_at_idx').execute();
      await db.schema
        .createIndex('inbound_messages_received_at_brin')
        .on('inbound_messages')
        .using('brin')
        .column('received_at')
        .execute();
    },
  },
  /**
   * Replies a person labelled in `npm run review`: the examples `npm run train -- --with-reviewed`
   * adds to the corpus. One per message (a review is resolved once).
   */
  '2026-11-29-001-review-examples': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('review_examples')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
        .addColumn('message_id', 'bigint', (c) =>
          c.notNull().unique().references('inbound_messages.id').onDelete('cascade'),
        )
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('read_as', 'text', (c) => c.notNull())
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  /**
   * One name for each concept: `message_id` is the provider's id everywhere (it was `message_sid`
   * here), and a reference to our stored message is `inbound_message_id`.
   */
  '2026-11-29-002-one-name-per-concept': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table inbound_messages rename column message_sid to message_id`.execute(db);
      await sql`alter table inbound_messages rename constraint inbound_messages_provider_message_sid_key
        to inbound_messages_provider_message_id_key`.execute(db);
      await sql`alter table tasks rename column message_id to inbound_message_id`.execute(db);
      await sql`alter table review_examples rename column message_id to inbound_message_id`.execute(db);
    },
  },
  /**
   * The consent ledger (every change of permission, append-only: a trigger refuses UPDATE, DELETE
   * and TRUNCATE, and the purge keeps it, since proof of objection must outlive the message), the
   * delivery receipts (each (provider, message, status) once, and the current state per message),
   * and the reason a task was cancelled (an opt-out or a suppression cancels the number's tasks).
   */
  '2026-11-29-003-consent-and-deliveries': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table consent_events (
        id bigint generated always as identity primary key,
        phone text not null,
        event text not null check (event in ('opt_out', 'opt_in', 'hold', 'release', 'suppress', 'import')),
        scope text not null check (scope in ('sms', 'calls', 'all')),
        source text not null
          check (source in ('reply', 'provider_keyword', 'delivery_error', 'import', 'operator', 'review')),
        evidence jsonb not null,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index consent_events_phone_idx on consent_events (phone, id)`.execute(db);
      await sql`create function consent_events_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'consent_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
        end $$`.execute(db);
      await sql`create trigger consent_events_append_only before update or delete or truncate on consent_events
        for each statement execute function consent_events_append_only()`.execute(db);
      await sql`alter table tasks add column cancel_reason text`.execute(db);
      // An opt-out cancels its number's open tasks: found by number, not by scanning every open task
      // (cancel_open_tasks, 2026-11-29-004, is planned at each call so that it uses this index).
      await sql`create index tasks_open_phone_idx on tasks (phone) where status = 'open'`.execute(db);
      await sql`create table deliveries (
        id bigint generated always as identity primary key,
        provider text not null,
        message_id text not null,
        recipient text not null,
        status text not null,
        error_code text,
        campaign_id text,
        updated_at timestamptz not null,
        raw_data jsonb not null,
        unique (provider, message_id)
      )`.execute(db);
      await sql`create index deliveries_campaign_idx on deliveries (campaign_id)`.execute(db);
      await sql`create table delivery_events (
        id bigint generated always as identity primary key,
        provider text not null,
        message_id text not null,
        recipient text not null,
        status text not null,
        error_code text,
        error_class text,
        received_at timestamptz not null,
        raw_data jsonb,
        unique (provider, message_id, status)
      )`.execute(db);
      await sql`create index delivery_events_recipient_idx on delivery_events (recipient, received_at)`.execute(db);
    },
  },
  /**
   * The open tasks of numbers that opted out or were suppressed, cancelled by a function the record
   * statement calls: its UPDATE is planned at each call (EXECUTE), with the numbers of that batch
   * and the table as it is then. Inside the prepared record statement it was planned once, over
   * the nearly empty table of a new database, and read every open task at each opt-out.
   */
  '2026-11-29-004-cancel-open-tasks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create function cancel_open_tasks(phones text[], reasons text[]) returns integer
        language plpgsql as $$
        declare cancelled integer;
        begin
          execute 'update tasks set status = ''cancelled'', cancel_reason = batch.reason
            from unnest($1, $2) as batch(phone, reason)
            where tasks.phone = batch.phone and tasks.status = ''open'''
            using phones, reasons;
          get diagnostics cancelled = row_count;
          return cancelled;
        end $$`.execute(db);
    },
  },
};

/** Every migration's name, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
}

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResult[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error !== undefined || results === undefined) {
    throw new Error('database migration failed', { cause: error });
  }
  return results;
}

/**
 * Where the database's schema stands against this code's migrations, reading only (no migration
 * table is created where there is none): the migrations of this code it has not run (`pending`),
 * those it ran that this code does not have (`unknown`: a newer release's), and how many this code
 * has (`known`).
 */
export async function migrationState(
  db: Kysely<Database>,
): Promise<{ pending: string[]; unknown: string[]; known: number }> {
  const migrations = await migrator(db).getMigrations();
  const pending = migrations.filter((migration) => migration.executedAt === undefined).map(({ name }) => name);
  // Never migrated: there may be no migration table to read. Otherwise Kysely lists only ours.
  const ran =
    pending.length === migrations.length
      ? []
      : (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows.map(({ name }) => name);
  return { pending, unknown: ran.filter((name) => !Object.hasOwn(MIGRATIONS, name)).sort(), known: migrations.length };
}
