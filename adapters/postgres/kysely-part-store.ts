import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { storage } from '../../core/errors.js';
import { completeGroup, openMessages, PARTS_WINDOW_MS } from '../../core/parts.js';
import type { ExpireRequest, MessagePart, PartOutcome, PartStore } from '../../core/ports/part-store.js';
import type { Database, MessagePartsTable } from './schema.js';

/** Parts in the `message_parts` table, over Postgres or PGlite. The caller owns `db`. */
export class KyselyPartStore implements PartStore {
  constructor(private readonly db: Kysely<Database>) {}

  add(part: MessagePart): Promise<PartOutcome> {
    return storage('storing a message part', () => this.addPart(part));
  }

  expire(request: ExpireRequest): Promise<MessagePart[][]> {
    return storage('expiring message parts', () => expireParts(this.db, request));
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
        .where('message_id', '=', part.message_id)
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
            message_id: part.message_id,
            sender: part.sender,
            recipient: part.recipient,
            ref: part.ref,
            total: part.total,
            part: part.part,
            raw_data: JSON.stringify(part.fields),
            received_at: part.received_at,
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
        .where('received_at', '>=', new Date(part.received_at.getTime() - PARTS_WINDOW_MS))
        .orderBy('id')
        .execute();
      const group = completeGroup(waiting, part.total);
      if (group === null) {
        const { open } = await trx
          .selectFrom('message_parts')
          .select((eb) => eb.fn.count<string>(sql`distinct (recipient, ref, total)`).as('open'))
          .where('provider', '=', part.provider)
          .where('sender', '=', part.sender)
          .where('group_key', 'is', null)
          .executeTakeFirstOrThrow();
        return { complete: false, received: new Set(waiting.map((row) => row.part)).size, open: Number(open) };
      }
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

/** Closes incomplete messages; rows another instance is closing are skipped (it returns them). */
async function expireParts(db: Kysely<Database>, request: ExpireRequest): Promise<MessagePart[][]> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('message_parts')
      .selectAll()
      .where('group_key', 'is', null)
      .where('received_at', '<', request.before);
    if (request.provider !== undefined) query = query.where('provider', '=', request.provider);
    if (request.sender !== undefined) query = query.where('sender', '=', request.sender);
    if (request.exceptRef !== undefined) query = query.where('ref', '!=', request.exceptRef);
    const rows = await query.orderBy('id').limit(1000).forUpdate().skipLocked().execute();
    const groups = openMessages(rows.map((row) => ({ ...toPart(row), id: row.id })));
    for (const group of groups) {
      const first = group[0] as MessagePart & { id: string };
      await trx
        .updateTable('message_parts')
        .set({ group_key: `${first.provider}:${first.message_id}` })
        .where(
          'id',
          'in',
          group.map((part) => part.id),
        )
        .execute();
    }
    return groups.map((group) => group.map(({ id: _id, ...part }) => part));
  });
}

function toPart(row: Selectable<MessagePartsTable>): MessagePart {
  return {
    provider: row.provider,
    message_id: row.message_id,
    sender: row.sender,
    recipient: row.recipient,
    ref: row.ref,
    total: row.total,
    part: row.part,
    fields: row.raw_data,
    received_at: row.received_at,
  };
}
