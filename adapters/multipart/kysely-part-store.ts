import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { storage } from '../../core/errors.js';
import type { Database, MessagePartsTable } from '../postgres/schema.js';
import type { MessagePart, PartOutcome, PartStore } from './part-store.js';
import { completeGroup } from './part-store.js';

/** Parts in the `message_parts` table, over Postgres or PGlite. The caller owns `db`. */
export class KyselyPartStore implements PartStore {
  constructor(private readonly db: Kysely<Database>) {}

  add(part: MessagePart): Promise<PartOutcome> {
    return storage('storing a message part', () => this.addPart(part));
  }

  private addPart(part: MessagePart): Promise<PartOutcome> {
    return this.db.transaction().execute(async (trx) => {
      // Parts of one message take turns (until commit), so the last one in sees every other.
      const lockKey = `${part.provider}\n${part.sender}\n${part.recipient}\n${part.ref}`;
      await sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(trx);
      const known = await trx
        .selectFrom('message_parts')
        .select('group_key')
        .where('provider', '=', part.provider)
        .where('message_id', '=', part.messageId)
        .executeTakeFirst();
      if (known?.group_key) {
        const rows = await trx
          .selectFrom('message_parts')
          .selectAll()
          .where('group_key', '=', known.group_key)
          .orderBy('part')
          .execute();
        return { complete: true, parts: rows.map(toPart) };
      }
      if (known === undefined) {
        await trx
          .insertInto('message_parts')
          .values({
            provider: part.provider,
            message_id: part.messageId,
            sender: part.sender,
            recipient: part.recipient,
            ref: part.ref,
            total: part.total,
            part: part.part,
            raw_data: JSON.stringify(part.fields),
            received_at: part.receivedAt,
          })
          .execute();
      }
      const waiting = await trx
        .selectFrom('message_parts')
        .selectAll()
        .where('provider', '=', part.provider)
        .where('sender', '=', part.sender)
        .where('ref', '=', part.ref)
        .where('recipient', '=', part.recipient)
        .where('total', '=', part.total)
        .where('group_key', 'is', null)
        .orderBy('id')
        .execute();
      const group = completeGroup(waiting, part.total);
      if (group === null) return { complete: false, received: new Set(waiting.map((row) => row.part)).size };
      const first = group[0] as Selectable<MessagePartsTable>;
      await trx
        .updateTable('message_parts')
        .set({ group_key: `${part.provider}:${first.message_id}` })
        .where(
          'id',
          'in',
          group.map((row) => row.id),
        )
        .execute();
      return { complete: true, parts: group.map(toPart) };
    });
  }
}

function toPart(row: Selectable<MessagePartsTable>): MessagePart {
  return {
    provider: row.provider,
    messageId: row.message_id,
    sender: row.sender,
    recipient: row.recipient,
    ref: row.ref,
    total: row.total,
    part: row.part,
    fields: row.raw_data,
    receivedAt: row.received_at,
  };
}
