import t from 'tap';
import { readFileSync } from 'node:fs';
import { TwilioSignatureVerifier } from '../adapters/twilio/twilio-signature-verifier.js';
import { inboundFields, sign } from './fixtures/twilio.js';

interface Vector {
  id: string;
  url: string;
  params: Record<string, string | string[]>;
  token: string;
  signature: string;
  valid: boolean;
}

const { vectors } = JSON.parse(
  readFileSync(new URL('./fixtures/twilio-signature-vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const request = (url: string, fields: Record<string, string | string[]>, signature?: string) => ({
  url,
  method: 'POST',
  headers: signature === undefined ? {} : { 'x-twilio-signature': signature },
  fields,
});

t.test('every published and derived vector', async (t) => {
  t.equal(vectors.length, 21, 'all 21 vectors are here');
  for (const v of vectors) {
    const verifier = new TwilioSignatureVerifier([v.token]);
    t.equal(
      verifier.verify(request(v.url, v.params, v.signature)),
      v.valid,
      `${v.id} ${v.valid ? 'accepted' : 'rejected'}`,
    );
  }
});

t.test('fails closed', async (t) => {
  const url = 'https://app.berinia.test/webhook/sms-response';
  const fields = inboundFields();
  const signature = sign('tok', url, fields);
  t.ok(
    new TwilioSignatureVerifier(['tok']).verify(request(url, fields, signature)),
    'control: the right signature passes',
  );
  t.notOk(
    new TwilioSignatureVerifier([]).verify(request(url, fields, signature)),
    'no token configured: nothing accepted',
  );
  t.notOk(
    new TwilioSignatureVerifier(['']).verify(request(url, fields, sign('', url, fields))),
    'an empty token is no token',
  );
  t.notOk(new TwilioSignatureVerifier(['tok']).verify(request(url, fields)), 'missing header');
  t.notOk(new TwilioSignatureVerifier(['tok']).verify(request(url, fields, '')), 'empty header');
  t.notOk(
    new TwilioSignatureVerifier(['tok']).verify({
      ...request(url, fields),
      headers: { 'x-twilio-signature': [signature, signature] },
    }),
    'a repeated header',
  );
  t.notOk(
    new TwilioSignatureVerifier(['tok']).verify(request(url, { ...fields, Body: 'STOP' }, signature)),
    'replayed with a changed field',
  );
  t.notOk(
    new TwilioSignatureVerifier(['tok']).verify(request(`${url}/`, fields, signature)),
    'other URL (trailing slash)',
  );
  t.notOk(
    new TwilioSignatureVerifier(['tok']).verify(request(url.replace('https:', 'http:'), fields, signature)),
    'other scheme',
  );
});

t.test('accepts either token while one is rotated', async (t) => {
  const url = 'https://app.berinia.test/webhook/sms-response';
  const fields = inboundFields();
  const verifier = new TwilioSignatureVerifier(['old-token', 'new-token']);
  t.ok(verifier.verify(request(url, fields, sign('old-token', url, fields))), 'old token');
  t.ok(verifier.verify(request(url, fields, sign('new-token', url, fields))), 'new token');
  t.notOk(verifier.verify(request(url, fields, sign('other-token', url, fields))), 'any other token');
});
