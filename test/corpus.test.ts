import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCorpus, similarity, trigrams } from '../adapters/interpreter/evaluation.js';
import { DEFAULT_OPTIONS, toModelFile, train } from '../adapters/interpreter/training.js';
import { INTENTS } from '../core/intent.js';

const DATA = new URL('../adapters/interpreter/data/', import.meta.url);
const corpusText = readFileSync(new URL('train.tsv', DATA), 'utf8');
const corpus = parseCorpus(corpusText);
const notes = corpusText.split('\n').map((line) => line.split('\t')[5] ?? '');
/** Above this trigram similarity a training reply counts as a close paraphrase of a test reply. */
const CLOSE = 0.5;

t.test('the training corpus: size, intents, opt-outs, hard negatives', async (t) => {
  t.ok(corpus.length >= 3000, `${corpus.length} replies`);
  for (const intent of INTENTS) {
    const count = corpus.filter((row) => row.intent === intent).length;
    t.ok(count >= 150, `${intent}: ${count}`);
  }
  const optOuts = corpus.filter((row) => row.intent === 'OPT_OUT').length;
  t.ok(optOuts >= 600, `${optOuts} opt-outs`);
  const hard = notes.filter((note) => /hard negative/i.test(note)).length;
  t.ok(hard >= 400, `${hard} hard negatives`);
  t.equal(new Set(corpus.map((row) => row.id)).size, corpus.length, 'ids are unique');
});

t.test('no training reply is a copy or a close paraphrase of a test reply', async (t) => {
  for (const file of ['intents-dev.tsv', 'intents-holdout.tsv']) {
    const tests = parseCorpus(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8')).map((row) => ({
      row,
      grams: trigrams(row.text),
    }));
    let closest = { score: 0, train: '', test: '' };
    for (const row of corpus) {
      const grams = trigrams(row.text);
      for (const other of tests) {
        const score = similarity(grams, other.grams);
        if (score > closest.score) closest = { score, train: row.text, test: other.row.text };
      }
    }
    t.ok(
      closest.score < CLOSE,
      `${file}: closest pair ${closest.score.toFixed(2)}: ${JSON.stringify(closest.train)} ~ ${JSON.stringify(closest.test)}`,
    );
  }
  t.equal(similarity(trigrams('Arrêtez les SMS !'), trigrams('arretez les sms !')), 1, 'case and accents folded');
  t.equal(similarity(new Set(), new Set()), 1);
});

t.test('the committed model was trained on the committed corpus, and training is deterministic', async (t) => {
  const model = JSON.parse(readFileSync(new URL('model.json', DATA), 'utf8')) as { trained: { corpus_sha256: string } };
  t.equal(
    model.trained.corpus_sha256,
    createHash('sha256').update(corpusText).digest('hex'),
    'run `npm run train` after changing train.tsv',
  );
  const sample = corpus.filter((_, i) => i % 10 === 0);
  const once = JSON.stringify(toModelFile(train(sample, INTENTS, DEFAULT_OPTIONS), 1, {}));
  const twice = JSON.stringify(toModelFile(train(sample, INTENTS, DEFAULT_OPTIONS), 1, {}));
  t.equal(once, twice, 'the same corpus gives the same bytes');
  t.not(
    once,
    JSON.stringify(toModelFile(train(sample, INTENTS, { ...DEFAULT_OPTIONS, seed: 1 }), 1, {})),
    'the seed decides the order',
  );
});
