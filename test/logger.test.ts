import t from 'tap';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, LineBuffer, LOG_BUFFER_BYTES, serializeError } from '../app/logger.js';
import { escapeNul, withoutNul } from '../core/inbound-message.js';
import { capturedLogger } from './fixtures/logs.js';
import { message } from './fixtures/messages.js';
import { LOADER, ROOT } from './fixtures/process.js';

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

t.test('secrets are censored at the top level, one level down in any field, and in errors', async (t) => {
  const { logger, lines } = capturedLogger('info');
  const request = { Body: 'je veux arrêter', From: '+33612345678', token: 't0k3n', kept: 1 };
  const failure = Object.assign(new Error('provider refused'), { body: '{"to":"+33612345678"}', status: 400 });
  logger.info(
    {
      token: 't0k3n',
      content: 'le texte',
      request,
      list: [{ content: 'in a list, two levels down: not looked at' }],
      headers: { 'x-twilio-signature': 'c2lnbmF0dXJl', host: 'app.berinia.com' },
      err: failure,
      failure: Object.assign(new Error('under another key'), { body: 'sent to +33612345678' }),
      plain: { campaign: 'c-1' },
    },
    'checked',
  );
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  t.equal(line['token'], '[redacted]');
  t.equal(line['content'], '[redacted]');
  t.same(line['request'], { Body: '[redacted]', From: '+33612345678', token: '[redacted]', kept: 1 });
  t.same(line['headers'], { 'x-twilio-signature': '[redacted]', host: 'app.berinia.com' });
  t.match(line['err'], { message: 'provider refused', body: '[redacted]', status: 400 });
  t.same(line['failure'], { body: '[redacted]' }, 'an error under another key: its enumerable fields, censored');
  t.notMatch(lines[0], /"to":|sent to/, 'neither error body is in the line');
  t.same(line['plain'], { campaign: 'c-1' });
  t.same(line['list'], [{ content: 'in a list, two levels down: not looked at' }]);
  t.same(request.Body, 'je veux arrêter', "the caller's object is not changed");
});

/** A sink that records what it is handed, as sonic-boom would write it. */
class RecordingSink extends EventEmitter {
  readonly chunks: string[] = [];
  syncFlushes = 0;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString('utf8'));
    return true;
  }
  flushSync(): void {
    this.syncFlushes += 1;
  }
}

t.test('the line buffer hands over full chunks in order, a long line alone, and the rest on flush', async (t) => {
  const sink = new RecordingSink();
  const lines = new LineBuffer(sink);
  const line = (n: number) => `{"n":${n},"msg":"é ${'x'.repeat(200)}"}\n`;
  const written: string[] = [];
  for (let n = 0; n < 200; n++) {
    written.push(line(n));
    lines.write(line(n));
  }
  t.ok(sink.chunks.length >= 2, 'full chunks were handed over before any flush');
  t.ok(
    sink.chunks.every((chunk) => Buffer.byteLength(chunk) <= LOG_BUFFER_BYTES),
    'no chunk beyond the buffer',
  );
  const long = `{"stack":"${'y'.repeat(LOG_BUFFER_BYTES)}"}\n`;
  lines.write(long);
  written.push(long);
  t.equal(sink.chunks.at(-1), long, 'a line longer than the buffer goes alone, after what was buffered');
  lines.write(line(200));
  written.push(line(200));
  let done = false;
  lines.flush(() => (done = true));
  t.ok(done);
  t.equal(sink.chunks.join(''), written.join(''), 'every line, whole and in order');
  lines.flushSync();
  t.equal(sink.syncFlushes, 1, 'at exit the sink writes what it holds');
  const handed = sink.chunks.length;
  lines.flush();
  t.equal(sink.chunks.length, handed, 'nothing buffered: nothing handed over');
});

t.test('a sink that fails stops the logging, said once on stderr, and nothing throws', async (t) => {
  const sink = new RecordingSink();
  const said: string[] = [];
  const lines = new LineBuffer(sink, (text) => said.push(text));
  lines.write('{"n":1}\n');
  sink.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  sink.emit('error', new Error('again'));
  t.same(said, ['berinia-webhook: logging stopped: EPIPE\n']);
  lines.write('{"n":2}\n');
  lines.flushSync();
  t.same(sink.chunks, [], 'nothing more is handed to a broken sink');
  t.equal(sink.syncFlushes, 0);
  const other = new RecordingSink();
  const saidOther: string[] = [];
  new LineBuffer(other, (text) => saidOther.push(text));
  other.emit('error', new Error('disk on fire'));
  t.same(saidOther, ['berinia-webhook: logging stopped: disk on fire\n'], 'an error without a code: its message');
});

interface LogRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What stdout held when the child said `waiting` (its first line could only be out by the timer). */
  beforeWaiting: string | null;
}

/** Runs test/fixtures/log-lines.ts; `closed`: its stdout's reader goes away at once (EPIPE). */
function logLines(count: number, ending: 'exit' | 'end', closed = false): Promise<LogRun> {
  const child = spawn(process.execPath, [...LOADER, join(ROOT, 'test/fixtures/log-lines.ts'), String(count), ending], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (closed) child.stdout.destroy();
  const run: LogRun = { code: null, stdout: '', stderr: '', beforeWaiting: null };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
    if (run.beforeWaiting === null && run.stderr.includes('waiting')) run.beforeWaiting = run.stdout;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ ...run, code })));
}

// The three processes run side by side (each takes a second or so to load); the tests read them in turn.
const COUNT = 3000;
const runs = { exit: logLines(COUNT, 'exit'), end: logLines(COUNT, 'end'), closed: logLines(100, 'end', true) };

for (const ending of ['exit', 'end'] as const) {
  t.test(
    `stdout: a quiet line within the flush period, and every line when the process ends (${ending})`,
    async (t) => {
      const { code, stdout, beforeWaiting } = await runs[ending];
      t.equal(code, 0);
      t.match(beforeWaiting, /"msg":"first"/, 'the first line was out while the process still ran');
      const numbers = stdout
        .trim()
        .split('\n')
        .map((text) => (JSON.parse(text) as { n: number }).n);
      t.same(
        numbers,
        Array.from({ length: COUNT + 1 }, (_, n) => n),
        'every line, in order',
      );
    },
  );
}

t.test('stdout closed under the service: the logging stops, the process goes on and ends well', async (t) => {
  const { code, stderr } = await runs.closed;
  t.equal(code, 0, 'no crash');
  t.match(stderr, /logging stopped: EPIPE\n/);
  t.match(stderr, /waiting/, 'it went on after the failure');
});
