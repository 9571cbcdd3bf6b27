import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger, serializeError } from '../app/logger.js';
import { escapeNul, withoutNul } from '../core/inbound-message.js';
import { message } from './fixtures/messages.js';

t.test('a database error is logged without the rows it quotes, in itself or as a cause', async (t) => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }),
  );
  const refused = Object.assign(new Error('unsupported Unicode escape sequence'), {
    code: '22P05',
    detail: '\\u0000 cannot be converted to text.',
    where: 'JSON data, line 1: {"Body": "mon numéro est le 06 12 34 56 78',
    parameters: ['+33612345678'],
  });
  logger.error({ err: new Error('record failed', { cause: refused }) }, 'webhook not stored');
  logger.error({ err: refused }, 'direct');
  const text = lines.join('');
  t.match(text, /"code":"22P05"/, 'the code stays');
  t.match(text, /unsupported Unicode escape sequence/, 'the message stays');
  t.notMatch(text, /06 12 34 56 78|\+33612345678|JSON data|cannot be converted/, 'no row data');
  t.equal(serializeError('a string'), 'a string', 'what is not an error passes through');
});

t.test('NUL characters: escaped in raw fields, U+FFFD in the text', async (t) => {
  const fields = { Body: 'a\u0000b', MediaUrl0: ['x\u0000', 'y'], To: '+33757000001' };
  t.same(escapeNul(fields), { Body: 'a\\u0000b', MediaUrl0: ['x\\u0000', 'y'], To: '+33757000001' });
  const clean = { Body: 'ok' };
  t.equal(escapeNul(clean), clean, 'nothing to escape: the same object');
  const plain = message();
  t.equal(withoutNul(plain), plain);
  t.match(withoutNul(message({ content: 'a\u0000', raw_data: { Body: 'a\u0000' } })), {
    content: 'a\uFFFD',
    raw_data: { Body: 'a\\u0000' },
  });
});
