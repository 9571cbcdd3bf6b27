import t from 'tap';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { createMigratedDatabase } from './fixtures/postgres.js';
import { runCli } from './fixtures/process.js';
import { message, recordRequest } from './fixtures/messages.js';

t.test('npm run consent and npm run can-contact read the ledger', async (t) => {
  const { url, db } = await createMigratedDatabase(t);
  const repository = new KyselyRepository(db);
  const at = new Date('2026-11-29T09:00:00.000Z');
  const stop = message({ sender: '+33612340001', content: 'STOP svp' });
  await repository.record(recordRequest(stop, 'OPT_OUT', { scope: 'sms' }, at));
  await repository.recordConsent([
    {
      phone: '+33612340002',
      event: 'import',
      scope: 'all',
      source: 'import',
      evidence: { file: { name: 'bloctel.csv', sha256: 'ab12' }, by: 'ops', reason: 'Bloctel', error_code: '0' },
      occurred_at: at,
    },
  ]);
  const env = { DATABASE_URL: url };

  const stopped = runCli('can-contact', ['06 12 34 00 01'], env);
  t.equal(stopped.status, 1, 'sms refused: exit 1');
  t.same(JSON.parse(stopped.stdout), {
    phone: '+33612340001',
    sms: false,
    calls: true,
    reason: 'opt_out (reply) 2026-11-29T09:00:00.000Z',
  });
  t.equal(runCli('can-contact', ['+33612340001', '--channel', 'calls'], env).status, 0, 'calls allowed: exit 0');
  t.match(runCli('can-contact', ['+33699990000'], env), { status: 0, stdout: /"sms":true,"calls":true,"reason":null/ });
  t.match(runCli('can-contact', [], env), { status: 64, stderr: /one phone number is required/ });
  t.match(runCli('can-contact', ['+33612340001', '--channel', 'fax'], env), { status: 64, stderr: /sms or calls/ });
  t.match(runCli('can-contact', ['hello'], env), { status: 64, stderr: /not a phone number: hello/ });

  const history = runCli('consent', ['+33612340001'], env);
  t.equal(history.status, 0);
  t.match(history.stdout, /^\+33612340001: 1 change\(s\) of permission\n/);
  const said = /2026-11-29T09:00:00\.000Z {2}opted out \(sms\), reply said "STOP svp" read as OPT_OUT \(90 %\)/;
  t.match(history.stdout, said);
  t.match(history.stdout, /\[message \d+\]/);
  t.match(history.stdout, /now: sms refused, calls allowed \(opt_out \(reply\)/);
  const imported = runCli('consent', ['+33612340002'], env).stdout;
  t.match(imported, /imported as suppressed \(all\), import by ops error 0 from bloctel\.csv \(sha256 ab12\): Bloctel/);
  const json = runCli('consent', ['+33612340001', '--json'], env);
  t.match(JSON.parse(json.stdout), { event: 'opt_out', scope: 'sms', evidence: { words: 'STOP svp' } });
  const none = runCli('consent', ['+33699990000'], env).stdout;
  t.match(none, /0 change\(s\) of permission\nnow: sms allowed, calls allowed\n/);
  t.match(runCli('consent', [], env), { status: 64, stderr: /one phone number is required/ });
  t.match(runCli('consent', ['x'], env), { status: 64, stderr: /not a phone number/ });
  t.match(runCli('consent', ['--help'], env), { status: 0, stdout: /^usage: npm run consent/ });
});
