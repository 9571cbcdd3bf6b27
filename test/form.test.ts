import t from 'tap';
import { parseForm, RequestError } from '../adapters/http/form.js';
import { maskPhone } from '../core/privacy.js';

t.test('decodes form data as Twilio sends it', async (t) => {
  t.same(parseForm(Buffer.from('Body=Oui+tr%C3%A8s+bien+%F0%9F%91%8D&From=%2B33612345678&Empty=&Flag')), {
    Body: 'Oui très bien 👍',
    From: '+33612345678',
    Empty: '',
    Flag: '',
  });
  t.same(parseForm('a=1&&a=2&a=3&b=x'), { a: ['1', '2', '3'], b: 'x' }, 'repeated keys keep every value');
  t.same(parseForm(''), {});
  const fields = parseForm('__proto__=x&constructor=y');
  t.equal(fields['__proto__'], 'x', 'no prototype pollution: a field like any other');
  t.equal(Object.getPrototypeOf(fields), null);
  t.same(parseForm(Buffer.from('Body=caf\u00e9', 'utf8')), { Body: 'café' }, 'raw UTF-8 bytes are fine');
});

t.test('rejects what it cannot decode faithfully', async (t) => {
  t.throws(() => parseForm('Body=%E9t%C3'), new RequestError(400, 'malformed percent-encoding in form data'));
  t.throws(() => parseForm('Body=100%'), new RequestError(400, 'malformed percent-encoding in form data'));
  t.throws(() => parseForm('%ZZ=1'), new RequestError(400, 'malformed percent-encoding in form data'));
  t.throws(
    () => parseForm(Buffer.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xe9, 0x74])),
    new RequestError(400, 'body is not valid utf-8'),
  );
  const error = new RequestError(413, 'body too large');
  t.equal(error.code, 'ERR_BAD_REQUEST');
  t.equal(error.name, 'RequestError');
});

t.test('phone numbers are masked in logs', async (t) => {
  t.equal(maskPhone('+33612345678'), '+336••••5678');
  t.equal(maskPhone('0612345678'), '061••••5678');
  t.equal(maskPhone('36180'), '•••80', 'short codes keep only two digits');
  t.equal(maskPhone(''), '');
});
