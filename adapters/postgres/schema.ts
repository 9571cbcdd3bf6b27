import type { ColumnType, Generated } from 'kysely';

/** A jsonb column: read as an object, written as JSON text (pg would turn a JS array into a SQL array). */
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date, Date>;

export interface InboundMessagesTable {
  id: Generated<string>;
  provider: string;
  message_sid: string;
  source: string;
  sender: string;
  recipient: string;
  content: string;
  campaign_id: string | null;
  received_at: Timestamp;
  /** Null once purged (RETENTION_DAYS). */
  raw_data: ColumnType<Record<string, string | string[]> | null, string, string | null>;
  extracted_data: Json;
  intent: string;
  confidence: number;
  action: string;
  reply: string | null;
  processed_at: Timestamp | null;
}

export interface LeadsTable {
  id: Generated<string>;
  phone: string;
  campaign_id: string | null;
  status: string;
  opted_out_at: Timestamp | null;
  opt_out_scope: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TasksTable {
  id: Generated<string>;
  kind: string;
  phone: string;
  contact: string;
  campaign_id: string | null;
  message_id: string;
  due_text: string | null;
  details: Json;
  status: Generated<string>;
  created_at: Timestamp;
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
  message_id: string;
  text: string;
  read_as: string;
  intent: string;
  reviewer: string;
  resolved_at: Timestamp;
}

export interface Database {
  inbound_messages: InboundMessagesTable;
  leads: LeadsTable;
  tasks: TasksTable;
  message_parts: MessagePartsTable;
  review_examples: ReviewExamplesTable;
}
