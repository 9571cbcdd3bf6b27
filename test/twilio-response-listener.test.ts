import t from 'tap';
import { TwilioResponseListener } from '../adapters/twilio/twilio-response-listener.js';
import { inboundFields } from './fixtures/twilio.js';

const listener = new TwilioResponseListener();
const at = new Date('2026-11-24T10:00:00Z');

t.test('normalizes a real inbound SMS', async (t) => {
  const fields = inboundFields({ Body: 'Rappelez-moi 🙏', NewField: 'kept' });
  const heard = listener.listen(fields, at);
  t.match(heard, {
    kind: 'message',
    providerKeyword: null,
    message: {
      source: 'sms',
      provider: 'twilio',
      message_id: fields.MessageSid,
      sender: '+33612345678',
      recipient: '+33757000001',
      content: 'Rappelez-moi 🙏',
      campaign_id: null,
      received_at: at,
      extracted_data: {},
    },
  });
  t.equal(heard.kind === 'message' && heard.message.raw_data, fields, 'raw fields as received, unknown ones too');
});

t.test('rejects what is not one message', async (t) => {
  t.same(listener.listen({ ...inboundFields(), From: ['+33611111111', '+33622222222'] }, at), {
    kind: 'invalid',
    reason: 'field From is repeated',
  });
  t.same(listener.listen(inboundFields({ MessageSid: '' }), at), { kind: 'invalid', reason: 'empty field MessageSid' });
  t.same(listener.listen(inboundFields({ Body: undefined }), at), { kind: 'invalid', reason: 'missing field Body' });
});

t.test('media and opt-out type', async (t) => {
  const heard = listener.listen(
    inboundFields({ Body: '', NumMedia: '1', MediaUrl0: 'https://m/0', OptOutType: 'start' }),
    at,
  );
  t.match(heard, {
    providerKeyword: 'opt_in',
    message: { extracted_data: { opt_out_type: 'START', media: [{ url: 'https://m/0', content_type: null }] } },
  });
  const noCount = listener.listen(inboundFields({ NumMedia: undefined, MediaUrl0: 'https://m/0' }), at);
  t.match(noCount, { message: { extracted_data: {} } }, 'media only as many as NumMedia says');
  const repeated = listener.listen(
    { ...inboundFields({ NumMedia: '1' }), MediaUrl0: ['https://m/a', 'https://m/b'] },
    at,
  );
  t.match(repeated, { message: { extracted_data: { media: [{ url: 'https://m/a' }] } } });
});

t.test('answers TwiML, escaping the reply', async (t) => {
  t.same(listener.answer(null), {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
  });
  t.equal(
    listener.answer('Réponse <STOP> & "merci" 👍').body,
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Réponse &lt;STOP&gt; &amp; "merci" 👍</Message></Response>',
  );
});

t.test('each reply answers its own TwiML, however many different replies there are', async (t) => {
  const fresh = new TwilioResponseListener();
  const twiml = (text: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${text}</Message></Response>`;
  // More distinct replies than are kept built: the first ones come from the cache, the last are built each time.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 100; i++) t.equal(fresh.answer(`Réponse n°${i} <ok>`).body, twiml(`Réponse n°${i} &lt;ok&gt;`));
  }
  t.equal(fresh.answer(null).body, '<?xml version="1.0" encoding="UTF-8"?><Response/>', 'no reply: empty TwiML');
});

t.test('field shapes: what Twilio never sends is refused (field-boundary forgery)', async (t) => {
  const listener = new TwilioResponseListener();
  const at = new Date('2026-11-24T09:00:00Z');
  const reason = (fields: Record<string, string>) => {
    const heard = listener.listen(fields, at);
    return heard.kind === 'invalid' ? heard.reason : 'accepted';
  };
  const sid = 'SM0123456789abcdef0123456789abcdef';
  t.equal(reason(inboundFields({ MessageSid: sid })), 'accepted');
  t.equal(
    reason(inboundFields({ MessageSid: `${sid}NumMedia0`, NumMedia: undefined })),
    'field MessageSid is not a Twilio SID',
    'text moved from a key into a value',
  );
  t.equal(reason(inboundFields({ AccountSid: 'AC123' })), 'field AccountSid is not a Twilio SID');
  t.equal(
    reason(inboundFields({ MessagingServiceSid: 'MG0123456789ABCDEF0123456789ABCDEF' })),
    'field MessagingServiceSid is not a Twilio SID',
    'hex is lower case',
  );
  t.equal(
    reason(inboundFields({ 'From+33611111111Body': 'START' })),
    'parameter name "From+33611111111Body" is not one Twilio sends',
  );
  t.equal(
    reason(inboundFields({ From: '+33611111111Body' })),
    'field From is not a phone number, short code or sender ID',
  );
  t.equal(reason(inboundFields({ To: '0612' })), 'accepted', 'a short code');
  t.equal(reason(inboundFields({ From: 'BerinIA' })), 'accepted', 'an alphanumeric sender');
  t.equal(
    reason(inboundFields({ From: '123456789012' })),
    'field From is not a phone number, short code or sender ID',
    'digits without + are not E.164',
  );
  const mine = new TwilioResponseListener({
    accountSid: 'AC00000000000000000000000000000000',
    numbers: ['+33757000001'],
  });
  t.equal(mine.listen(inboundFields(), at).kind, 'message', 'our account, our number');
  t.match(mine.listen(inboundFields({ AccountSid: 'AC11111111111111111111111111111111' }), at), {
    reason: 'AccountSid is not this account',
  });
  t.match(mine.listen(inboundFields({ To: '+33757000002' }), at), { reason: 'To is not one of our numbers' });
});
