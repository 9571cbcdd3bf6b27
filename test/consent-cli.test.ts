import t from 'tap';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { createMigratedDatabase } from './fixtures/postgres.js';
import { scratchDir } from './fixtures/process.js';
import { runTool } from './fixtures/tools.js';
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

  const stopped = await runTool('can-contact', ['06 12 34 00 01'], env);
  t.equal(stopped.status, 1, 'sms refused: exit 1');
  t.same(JSON.parse(stopped.stdout), {
    phone: '+33612340001',
    sms: false,
    calls: true,
    reason: 'opt_out (reply) 2026-11-29T09:00:00.000Z',
  });
  t.equal(
    (await runTool('can-contact', ['+33612340001', '--channel', 'calls'], env)).status,
    0,
    'calls allowed: exit 0',
  );
  t.match(await runTool('can-contact', ['+33699990000'], env), {
    status: 0,
    stdout: /"sms":true,"calls":true,"reason":null/,
  });
  t.match(await runTool('can-contact', [], env), { status: 64, stderr: /one phone number is required/ });
  t.match(await runTool('can-contact', ['+33612340001', '--channel', 'fax'], env), {
    status: 64,
    stderr: /sms or calls/,
  });
  t.match(await runTool('can-contact', ['hello'], env), { status: 64, stderr: /not a phone number: hello/ });

  const history = await runTool('consent', ['+33612340001'], env);
  t.equal(history.status, 0);
  t.match(history.stdout, /^\+33612340001: 1 change\(s\) of permission\n/);
  const said = /2026-11-29T09:00:00\.000Z {2}opted out \(sms\), reply said "STOP svp" read as OPT_OUT \(90 %\)/;
  t.match(history.stdout, said);
  t.match(history.stdout, /\[message \d+\]/);
  t.match(history.stdout, /now: sms refused, calls allowed \(opt_out \(reply\)/);
  const imported = (await runTool('consent', ['+33612340002'], env)).stdout;
  t.match(imported, /imported as suppressed \(all\), import by ops error 0 from bloctel\.csv \(sha256 ab12\): Bloctel/);
  const json = await runTool('consent', ['+33612340001', '--json'], env);
  t.match(JSON.parse(json.stdout), { event: 'opt_out', scope: 'sms', evidence: { words: 'STOP svp' } });
  const none = (await runTool('consent', ['+33699990000'], env)).stdout;
  t.match(none, /0 change\(s\) of permission\nnow: sms allowed, calls allowed\n/);
  t.match(await runTool('consent', [], env), { status: 64, stderr: /one phone number is required/ });
  t.match(await runTool('consent', ['x'], env), { status: 64, stderr: /not a phone number/ });
  t.match(await runTool('consent', ['--help'], env), { status: 0, stdout: /^usage: npm run consent/ });
});

t.test('npm run suppressions: import all or nothing, export plain or hashed', async (t) => {
  const { url } = await createMigratedDatabase(t);
  const env = { DATABASE_URL: url, PHONE_REGION: 'FR' };
  const dir = scratchDir();
  const good = join(dir, 'bloctel.csv');
  writeFileSync(good, 'phone,reason\n06 12 34 50 01,Bloctel\n"+33 6 12 34 50 02",\n\n0033612345003,\n');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'phone\n0612345004\nhello\n+33 6 12 34 50 05\n12\n');

  const refused = await runTool('suppressions', ['--import', bad], env);
  t.equal(refused.status, 65);
  t.match(refused.stderr, /line 3: not a phone number: "hello"\nline 5: not a phone number: "12"\nnothing imported/);
  t.match(
    (await runTool('suppressions', ['--export'], env)).stdout,
    /^phone,since,scope,source\n$/,
    'nothing half-imported',
  );

  const imported = await runTool('suppressions', ['--import', good, '--scope', 'sms', '--by', 'anne'], env);
  t.equal(imported.status, 0, imported.stderr);
  t.match(imported.stdout, /^3 number\(s\) imported from bloctel\.csv/);
  const exported = (await runTool('suppressions', ['--export'], env)).stdout.trim().split('\n');
  t.equal(exported[0], 'phone,since,scope,source');
  t.same(
    exported.slice(1).map((line) => line.split(',').filter((_, i) => i !== 1)),
    [
      ['+33612345001', 'sms', 'import'],
      ['+33612345002', 'sms', 'import'],
      ['+33612345003', 'sms', 'import'],
    ],
  );
  const hashed = (await runTool('suppressions', ['--export', '--hashed'], env)).stdout.trim().split('\n');
  t.equal(hashed[0], 'phone_sha256,since,scope,source');
  t.equal(hashed[1]?.split(',')[0], createHash('sha256').update('+33612345001').digest('hex'));
  const history = JSON.parse((await runTool('consent', ['+33612345001', '--json'], env)).stdout);
  const file = { name: 'bloctel.csv', sha256: /^[0-9a-f]{64}$/ };
  t.match(history, { event: 'import', source: 'import', evidence: { by: 'anne', reason: 'Bloctel', file } });

  const headerless = join(dir, 'numbers.csv');
  writeFileSync(headerless, 'number\n0612345006\n');
  t.match(await runTool('suppressions', ['--import', headerless], env), { status: 65, stderr: /no "phone" column/ });
  const broken = join(dir, 'broken.csv');
  writeFileSync(broken, 'phone\n"0612345007\n');
  t.match(await runTool('suppressions', ['--import', broken], env), {
    status: 65,
    stderr: /not a CSV file this tool can read/,
  });
  const scoped = join(dir, 'scoped.csv');
  writeFileSync(scoped, 'phone,scope\n0612345008,email\n');
  t.match(await runTool('suppressions', ['--import', scoped], env), {
    status: 65,
    stderr: /line 2: scope must be all, sms or calls/,
  });
  t.match(await runTool('suppressions', ['--import', join(dir, 'missing.csv')], env), { status: 65, stderr: /ENOENT/ });
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  t.match(await runTool('suppressions', ['--import', empty], env), { status: 0, stdout: /^0 number\(s\) imported/ });
  t.match(await runTool('suppressions', [], env), { status: 64, stderr: /give one of --import FILE or --export/ });
  t.match(await runTool('suppressions', ['--export', '--scope', 'fax'], env), {
    status: 64,
    stderr: /--scope must be/,
  });
});

t.test('npm run report: a campaign in a table, CSV or JSON', async (t) => {
  const { url, db } = await createMigratedDatabase(t);
  const repository = new KyselyRepository(db);
  const at = new Date('2026-11-29T09:00:00.000Z');
  for (const phone of ['+33612347001', '+33612347002', '+33612347003'])
    await repository.saveLead(phone, 'spring-2026', at);
  await repository.record(recordRequest(message({ sender: '+33612347001' }), 'OPT_OUT', {}, at));
  await repository.record(recordRequest(message({ sender: '+33612347002' }), 'CALLBACK_REQUEST', {}, at));
  const receipt = (id: string, recipient: string, status: 'delivered' | 'undelivered', code: string | null) => ({
    receipt: {
      provider: 'twilio',
      message_id: id,
      recipient,
      status,
      error_code: code,
      error_class: code === null ? null : ('content' as const),
      received_at: at,
      raw_data: {},
    },
    consent: null,
    temporary: null,
  });
  await repository.recordDelivery(receipt('SMr1', '+33612347001', 'delivered', null));
  await repository.recordDelivery(receipt('SMr2', '+33612347002', 'delivered', null));
  await repository.recordDelivery(receipt('SMr3', '+33612347003', 'undelivered', '30007'));
  const env = { DATABASE_URL: url };

  const table = await runTool('report', ['--campaign', 'spring-2026'], env);
  t.equal(table.status, 0, table.stderr);
  const head = /^campaign spring-2026\nreported back +3\n {2}delivered +2\n {2}undelivered +1\n/;
  t.match(table.stdout, head);
  t.match(table.stdout, / {2}failed, error 30007 +1\nreplies +2\nreply rate % +66\.7\n/);
  t.match(table.stdout, /opt-out rate % +50\nopen tasks +1\n$/);
  const json = JSON.parse((await runTool('report', ['--campaign', 'spring-2026', '--format', 'json'], env)).stdout);
  t.match(json, {
    campaign_id: 'spring-2026',
    reported: 3,
    replies: 2,
    reply_rate: 66.7,
    opt_out_rate: 50,
    open_tasks: 1,
  });
  t.same(json.intents, { CALLBACK_REQUEST: 1, OPT_OUT: 1 });
  const csv = await runTool('report', ['--campaign', 'spring-2026', '--format', 'csv', '--since', '2026-11-01'], env);
  t.match(csv.stdout, /^measure,value\nreported back,3\ndelivered,2\n/);
  const later = (await runTool('report', ['--campaign', 'spring-2026', '--since', '2026-12-01'], env)).stdout;
  t.match(
    later,
    /since 2026-12-01\nreported back +0\nreplies +0\nreply rate % +–\nopt-out rate % +–\nopen tasks +1\n$/,
  );
  const empty = await runTool('report', ['--campaign', 'spring-2026', '--format', 'csv', '--since', '2026-12-01'], env);
  t.match(empty.stdout, /\nreply rate %,\nopt-out rate %,\nopen tasks,1\n$/, 'no rate without replies: empty');
  t.match(await runTool('report', [], env), { status: 64, stderr: /--campaign is required/ });
  t.match(await runTool('report', ['--campaign', 'x', '--since', 'soon'], env), {
    status: 64,
    stderr: /--since must be a date/,
  });
  t.match(await runTool('report', ['--campaign', 'x', '--format', 'xml'], env), {
    status: 64,
    stderr: /--format must be/,
  });
});
