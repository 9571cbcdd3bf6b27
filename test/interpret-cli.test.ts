import t from 'tap';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cliArgs, ROOT, scratchDir } from './fixtures/process.js';
import { runTool } from './fixtures/tools.js';
import type { ToolName } from './fixtures/tools.js';

t.test('npm run interpret: one JSON line per input line, in order, nothing else', async (t) => {
  const input = 'STOP\n\nRappelez-moi demain à 10h au 06 12 34 56 78\r\nPas intéressé, ne m’écrivez plus';
  const { status, stdout, stderr } = await runTool('interpret', [], {}, scratchDir(), input);
  t.equal(status, 0);
  t.equal(stderr, '');
  const lines = stdout.split('\n');
  t.equal(lines.pop(), '', 'ends with a newline');
  const results = lines.map(
    (line) =>
      JSON.parse(line) as {
        intent: string;
        confidence: number;
        review: boolean;
        extracted: object;
        secondary_intents: string[];
      },
  );
  t.same(
    results.map((r) => r.intent),
    ['OPT_OUT', 'UNKNOWN', 'CALLBACK_REQUEST', 'OPT_OUT'],
    'an empty line is an empty message; CRLF and a last line without newline are read',
  );
  t.same(Object.keys(results[0] as object), ['intent', 'confidence', 'review', 'extracted', 'secondary_intents']);
  t.match(results[2]?.extracted, { phone: '+33612345678', day: 'tomorrow', time: '10:00', when_text: 'demain à 10h' });
  t.match(results[0], { review: false, extracted: { scope: 'all' } });
  t.equal((await runTool('interpret', [], {}, scratchDir(), '')).stdout, '', 'no input, no output');
  // Enough output to fill the pipe: the tool waits for it to drain rather than buffering it all.
  const many = await runTool(
    'interpret',
    [],
    {},
    scratchDir(),
    'Rappelez-moi demain à 10h, merci beaucoup\n'.repeat(20_000),
  );
  t.equal(many.stdout.split('\n').length - 1, 20_000, 'every line answered');
});

t.test('npm run interpret | head: a reader that goes away ends it quietly; a failing output does not', async (t) => {
  const child = spawn(process.execPath, cliArgs('interpret'), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdout.once('data', () => child.stdout.destroy()); // like `head -1`
  child.stdin.on('error', () => {});
  child.stdin.end('Rappelez-moi demain\n'.repeat(50_000));
  t.equal(await exited, 0, 'exit 0 when the reader closes the pipe');
  t.equal(stderr, '', 'and no stack trace');
  const full = openSync('/dev/full', 'w');
  const failed = spawnSync(process.execPath, cliArgs('interpret'), {
    input: 'STOP\n',
    stdio: ['pipe', full, 'pipe'],
    encoding: 'utf8',
  });
  closeSync(full);
  t.not(failed.status, 0, 'a disk-full output is an error');
  t.match(failed.stderr, /ENOSPC/);
});

t.test('npm run interpret:eval: per-intent table and confusion for any corpus file', async (t) => {
  const dev = await runTool('interpret-eval', [], {}, ROOT);
  t.equal(dev.status, 0);
  t.match(
    dev.stdout,
    /^messages: 154 {3}accuracy: \d+\.\d % {3}opt-outs caught: 47\/47 \(100\.0 %\) {3}hard false opt-outs: \d+ {3}review rate: \d+\.\d % \(\d+\)\n/,
  );
  t.match(dev.stdout, /\nOPT_OUT +\d+\.\d % +\d+\.\d % +47\n/);
  t.match(dev.stdout, /confusion \(rows: expected, columns: read as\)\n +OUT +IN +HLP/);
  const dir = scratchDir();
  const file = join(dir, 'mine.tsv');
  writeFileSync(file, 'id\ttext\tintent\textracted\n1\tStop\tHELP\t\n');
  const mine = await runTool('interpret-eval', [file], {}, dir);
  t.match(mine.stdout, /misses:\n {2}1 {2}"Stop" {2}expected HELP, got OPT_OUT/);
  writeFileSync(
    file,
    'id\ttext\tintent\textracted\n1\tmerci de ne plus m écrire\tNOT_INTERESTED\t\n2\tsalut\tOPT_OUT\t\n',
  );
  t.match((await runTool('interpret-eval', [file], {}, dir)).stdout, /misses:\n {2}2 MISSED OPT-OUT {2}"salut"/);
  const missing = await runTool('interpret-eval', [join(dir, 'none.tsv')], {}, dir);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /cannot read .*none\.tsv: ENOENT/);
  writeFileSync(file, 'id\ttext\n1\tStop\n');
  t.match((await runTool('interpret-eval', [file], {}, dir)).stderr, /the header has no "intent" column/);
});

t.test('--explain says what decided; every tool answers --help and refuses an unknown option', async (t) => {
  const explained = await runTool('interpret', ['--explain'], {}, scratchDir(), 'STOP\nRappelez-moi demain matin\n');
  const [rule, model] = explained.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { explanation: Record<string, unknown> });
  t.match(rule?.explanation, { decided_by: 'rule', rule: 'keyword: stop' });
  t.match(model?.explanation, { decided_by: 'model', probabilities: [{ intent: 'CALLBACK_REQUEST' }] });
  const tools: ToolName[] = [
    'interpret',
    'interpret-eval',
    'train',
    'review',
    'leads',
    'tasks',
    'sms',
    'purge',
    'migrate',
  ];
  for (const tool of tools) {
    const help = await runTool(tool, ['--help'], {}, scratchDir());
    t.equal(help.status, 0, `${tool} --help`);
    t.match(help.stdout, /^usage: npm run/, `${tool} --help prints its usage`);
    const unknown = await runTool(tool, ['--frobnicate'], {}, scratchDir());
    t.equal(unknown.status, 64, `${tool}: an unknown option is a usage error`);
    t.match(unknown.stderr, /Unknown option '--frobnicate'[^]*usage: npm run/);
  }
});

t.test('npm run train: cross-validation report, the model file, deterministic', async (t) => {
  const dir = scratchDir();
  const rows = ['id\ttext\tintent\textracted'];
  const samples: [string, string][] = [
    ['ne m écrivez plus', 'OPT_OUT'], ['oui envoyez la doc', 'INTERESTED'], ['non merci', 'NOT_INTERESTED'],
    ['rappelez moi demain', 'CALLBACK_REQUEST'], ['rdv jeudi 10h', 'MEETING'], ['c est combien', 'QUESTION'],
  ]; // prettier-ignore
  for (let i = 0; i < 60; i++) {
    const [text, intent] = samples[i % samples.length] as [string, string];
    rows.push(`${i}\t${text} ${i}\t${intent}\t`);
  }
  writeFileSync(join(dir, 'small.tsv'), `${rows.join('\n')}\n`);
  const out = join(dir, 'model.json');
  const run = () => runTool('train', ['--corpus', join(dir, 'small.tsv'), '--out', out], {}, dir);
  const first = await run();
  t.equal(first.status, 0, first.stderr);
  t.match(
    first.stdout,
    /training corpus: 60 replies \(0 reviewed\)\n5-fold cross-validation[^]*messages: 60 {3}accuracy: \d+\.\d %[^]*model written to /,
  );
  const model = readFileSync(out, 'utf8');
  t.match(JSON.parse(model), { format: 1, trained: { replies: 60, reviewed: 0 } });
  await run();
  t.equal(readFileSync(out, 'utf8'), model, 'the same corpus gives the same file');
  const measured = await runTool('train', ['--corpus', join(dir, 'small.tsv'), '--no-write'], {}, dir);
  t.notMatch(measured.stdout, /model written/);
});
