import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KyselyRepository } from '../adapters/postgres/kysely-repository.js';
import { message, reviewRequest } from './fixtures/messages.js';
import { createMigratedDatabase } from './fixtures/postgres.js';
import { runTool } from './fixtures/tools.js';

t.test('npm run review lists held replies and resolves them; train --with-reviewed learns from them', async (t) => {
  const { url, db } = await createMigratedDatabase(t);
  const repository = new KyselyRepository(db);
  await repository.record(
    reviewRequest(message({ sender: '+33677777777', content: 'et pour se désabonner ?' }), 'QUESTION'),
  );
  const env = { DATABASE_URL: url, USER: 'claire' };

  const listed = await runTool('review', [], env);
  t.equal(listed.status, 0, listed.stderr);
  t.match(
    listed.stdout,
    /^1 reply waits for a person\n#(\d+)\t2026-11-24T09:30:00\.000Z\t\+33677777777\tread as QUESTION 0\.40\t"et pour se désabonner \?"\n$/,
  );
  const id = /#(\d+)/.exec(listed.stdout)?.[1] as string;
  t.match(JSON.parse((await runTool('review', ['--json'], env)).stdout), {
    id,
    kind: 'review',
    text: 'et pour se désabonner ?',
  });

  const usage = await runTool('review', ['--resolve', id], env);
  t.equal(usage.status, 64, '--resolve without --as');
  t.match(usage.stderr, /--resolve and --as go together/);
  t.equal((await runTool('review', ['--resolve', id, '--as', 'MAYBE'], env)).status, 64, 'an unknown intent');

  const resolved = await runTool('review', ['--resolve', id, '--as', 'opt_out'], env);
  t.equal(resolved.status, 0, resolved.stderr);
  t.equal(resolved.stdout, `review #${id} resolved as OPT_OUT: +33677777777 is now opted_out\n`);
  t.match(await repository.findLead('+33677777777'), { status: 'opted_out' });
  t.match(await repository.listReviewExamples(), [{ intent: 'OPT_OUT', read_as: 'QUESTION' }]);
  t.match(await repository.findReview(id), { details: { resolution: { reviewer: 'claire' } } }, 'who decided is kept');

  const again = await runTool('review', ['--resolve', id, '--as', 'OPT_OUT', '--by', 'bob'], env);
  t.equal(again.status, 1);
  t.equal(again.stderr, `review: #${id} was already resolved\n`);
  t.equal(
    (await runTool('review', ['--resolve', '999999', '--as', 'OPT_OUT'], env)).stderr,
    'review: #999999 does not exist\n',
  );
  t.equal((await runTool('review', [], env)).stdout, '0 replies wait for a person\n');

  await repository.record(reviewRequest(message({ sender: '+33688888888', content: 'bof' }), 'UNKNOWN'));
  const [second] = await repository.listReviews();
  const anonymous = await runTool('review', ['--resolve', second?.id as string, '--as', 'NOT_INTERESTED'], {
    DATABASE_URL: url,
  });
  t.match(anonymous.stdout, /\+33688888888 is now not_interested/);
  t.match(
    await repository.findReview(second?.id as string),
    { details: { resolution: { reviewer: 'operator' } } },
    'no $USER: "operator"',
  );

  // A small corpus of its own: what is shown is that the reviewed replies join it, not the training.
  const corpus = join(mkdtempSync(join(tmpdir(), 'berinia-train-')), 'small.tsv');
  const rows = ['non merci\tNOT_INTERESTED', 'rappelez-moi\tCALLBACK_REQUEST', 'stop\tOPT_OUT', 'oui\tINTERESTED'];
  const lines = Array.from({ length: 20 }, (_, i) => `s${i}\t${rows[i % rows.length]?.replace('\t', ` ${i}\t`)}\t`);
  writeFileSync(corpus, `id\ttext\tintent\textracted\n${lines.join('\n')}\n`);
  const trained = await runTool('train', ['--corpus', corpus, '--with-reviewed', '--no-write'], env);
  t.equal(trained.status, 0, trained.stderr);
  t.match(trained.stdout, /^training corpus: 22 replies \(2 reviewed\)\n/);
});
