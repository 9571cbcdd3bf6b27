import type { ColumnType, Generated } from 'kysely';
import type { ActionName, LeadStatus, Scope, TaskKind, TaskStatus } from '../../core/action.js';
import type { ConsentEventKind, ConsentSource } from '../../core/consent.js';
import type { DeliveryStatus, ErrorClass } from '../../core/delivery.js';
import type { Intent } from '../../core/intent.js';

/** A jsonb column: read as an object, written as JSON text (pg would turn a JS array into a SQL array). */
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date, Date>;

export interface InboundMessagesTable {
  id: Generated<string>;
  provider: string;
  /** The provider's id of the message (Twilio `MessageSid`), unique with `provider`. */
  message_id: string;
  source: string;
  sender: string;
  recipient: string;
  content: string;
  campaign_id: string | null;
  received_at: Timestamp;
  /** Null once purged (RETENTION_DAYS). */
  raw_data: ColumnType<Record<string, string | string[]> | null, string, string | null>;
  extracted_data: Json;
  intent: Intent;
  confidence: number;
  action: ActionName;
  reply: string | null;
  processed_at: Timestamp | null;
}

export interface LeadsTable {
  id: Generated<string>;
  phone: string;
  campaign_id: string | null;
  status: LeadStatus;
  opted_out_at: Timestamp | null;
  opt_out_scope: Scope | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TasksTable {
  id: Generated<string>;
  kind: TaskKind;
  phone: string;
  contact: string;
  campaign_id: string | null;
  /** Our stored message (`inbound_messages.id`) that asked for it. */
  inbound_message_id: string;
  due_text: string | null;
  details: Json;
  status: Generated<TaskStatus>;
  /** Why a task was cancelled (an opt-out or a suppression of its number). */
  cancel_reason: Generated<string | null>;
  created_at: Timestamp;
}

/** The consent ledger: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export interface ConsentEventsTable {
  id: Generated<string>;
  phone: string;
  event: ConsentEventKind;
  scope: Scope;
  source: ConsentSource;
  evidence: Json;
  occurred_at: Timestamp;
  recorded_at: Generated<Date>;
}

/** The current state of each message we sent, from its delivery receipts. */
export interface DeliveriesTable {
  id: Generated<string>;
  provider: string;
  message_id: string;
  recipient: string;
  status: DeliveryStatus;
  error_code: string | null;
  campaign_id: string | null;
  updated_at: Timestamp;
  raw_data: Json;
}

/** Every (provider, message, status) a receipt reported, once. */
export interface DeliveryEventsTable {
  id: Generated<string>;
  provider: string;
  message_id: string;
  recipient: string;
  status: DeliveryStatus;
  error_code: string | null;
  error_class: ErrorClass | null;
  received_at: Timestamp;
  raw_data: Json;
}

/** Parts of a concatenated SMS (providers that deliver them one by one), until the message is whole. */
export interface MessagePartsTable {
  id: Generated<string>;
  provider: string;
  message_id: string;
  sender: string;
  recipient: string;
  ref: string;
  total: number;
  part: number;
  raw_data: ColumnType<Record<string, string | string[]>, string, string>;
  received_at: Timestamp;
  /** Set once the message is whole: every part of it carries the same key. */
  group_key: string | null;
}

/** A reply labelled by a person in `npm run review`, for training. */
export interface ReviewExamplesTable {
  id: Generated<string>;
  /** The reviewed message (`inbound_messages.id`). */
  inbound_message_id: string;
  text: string;
  read_as: Intent;
  intent: Intent;
  reviewer: string;
  resolved_at: Timestamp;
}

export interface Database {
  inbound_messages: InboundMessagesTable;
  leads: LeadsTable;
  tasks: TasksTable;
  message_parts: MessagePartsTable;
  review_examples: ReviewExamplesTable;
  consent_events: ConsentEventsTable;
  deliveries: DeliveriesTable;
  delivery_events: DeliveryEventsTable;
}
