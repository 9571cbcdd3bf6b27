import t from 'tap';
import { PROVIDER_KITS } from './fixtures/providers.js';

const at = new Date('2026-11-25T09:00:00Z');

// One suite, every provider: the same normalized message, whatever the provider's fields.
for (const kit of PROVIDER_KITS) {
  t.test(`${kit.name} ResponseListener contract`, async (t) => {
    const listener = kit.listener();

    t.test('a valid message is normalized, every field kept', async (t) => {
      const fields = kit.fields({ text: 'Rappelez-moi demain 10h', from: '+33612345678', extra: { Unknown: 'kept' } });
      const heard = listener.listen(fields, at);
      if (heard.kind !== 'message') throw new Error(`invalid: ${heard.reason}`);
      const { message } = heard;
      t.equal(message.source, 'sms');
      t.equal(message.provider, kit.name);
      t.equal(message.message_id, fields[kit.idField]);
      t.equal(message.sender, '+33612345678', 'E.164, whatever the provider writes');
      t.match(message.recipient, /^\+33757/);
      t.equal(message.content, 'Rappelez-moi demain 10h');
      t.equal(message.campaign_id, null, 'resolved later from our records');
      t.equal(message.received_at, at);
      t.same(message.raw_data, fields, 'unknown fields kept');
    });

    t.test('unicode text is kept exactly', async (t) => {
      const text = 'Très intéressé 👍🏽 — œuvre, ça, «ok» 日本';
      const heard = listener.listen(kit.fields({ text }), at);
      t.equal(heard.kind === 'message' && heard.message.content, text);
    });

    for (const name of kit.required) {
      t.test(`a message without ${name} is invalid, and says so`, async (t) => {
        const { [name]: _removed, ...fields } = kit.fields();
        t.same(listener.listen(fields, at), { kind: 'invalid', reason: `missing field ${name}` });
      });
    }

    t.test('a repeated field is invalid', async (t) => {
      const fields = { ...kit.fields(), [kit.idField]: ['a', 'b'] };
      t.same(listener.listen(fields, at), { kind: 'invalid', reason: `field ${kit.idField} is repeated` });
    });

    t.test('an empty message id is invalid', async (t) => {
      t.same(listener.listen({ ...kit.fields(), [kit.idField]: '' }, at), {
        kind: 'invalid',
        reason: `empty field ${kit.idField}`,
      });
    });

    t.test('the acknowledgement is a 200 in the provider’s format', async (t) => {
      const empty = listener.answer(null);
      t.equal(empty.status, 200);
      t.equal(empty.contentType, kit.answerType);
    });
  });
}
