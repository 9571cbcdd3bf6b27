/**
 * Compares reply classifiers on the same folds (`npm run train:compare`): 5-fold cross-validation
 * on the training corpus and, trained on all of it, the development corpus. The model alone, so
 * that learners are compared, not rules: the interpreter's own figures (rules and review) come from
 * `npm run train` and `npm run interpret:eval`.
 *
 * - softmax regression over hashed word and character n-grams (adapters/interpreter/training.ts);
 * - naive Bayes (wink-naive-bayes-text-classifier) over the same features;
 * - NLP.js (@nlpjs/nlp): its own tokenizer, stemmer and neural network, French and English.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bucketsOf, featureStrings, modelTokens, tokenize } from '../adapters/interpreter/features.js';
import { parseCorpus } from '../adapters/interpreter/evaluation.js';
import type { LabelledReply } from '../adapters/interpreter/evaluation.js';
import { folds, train } from '../adapters/interpreter/training.js';
import { INTENTS } from '../core/intent.js';

type Classify = (text: string) => Promise<string> | string;
type Learner = (rows: readonly LabelledReply[]) => Promise<Classify>;

const require = createRequire(import.meta.url);
const corpus = parseCorpus(readFileSync(new URL('../adapters/interpreter/data/train.tsv', import.meta.url), 'utf8'));
const dev = parseCorpus(readFileSync(new URL('../test/fixtures/intents-dev.tsv', import.meta.url), 'utf8'));
const features = (text: string) => featureStrings(modelTokens(tokenize(text)).tokens);

const softmax: Learner = async (rows) => {
  const model = train(rows, INTENTS);
  return (text) => {
    const p = model.probabilities(bucketsOf(modelTokens(tokenize(text)).tokens));
    return INTENTS[p.indexOf(Math.max(...p))] as string;
  };
};

const naiveBayes: Learner = async (rows) => {
  const factory = require('wink-naive-bayes-text-classifier') as () => {
    definePrepTasks(tasks: ((text: string) => string[])[]): void;
    defineConfig(config: Record<string, unknown>): void;
    learn(text: string, label: string): void;
    consolidate(): void;
    predict(text: string): string;
  };
  const nb = factory();
  nb.definePrepTasks([features]);
  nb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
  for (const row of rows) nb.learn(row.text, row.intent);
  nb.consolidate();
  return (text) => nb.predict(text) || 'UNKNOWN';
};

const nlpjs: Learner = async (rows) => {
  const { containerBootstrap } = require('@nlpjs/core');
  const { Nlp } = require('@nlpjs/nlp');
  const { LangFr } = require('@nlpjs/lang-fr');
  const { LangEn } = require('@nlpjs/lang-en-min');
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(LangFr);
  container.use(LangEn);
  const nlp = container.get('nlp');
  Object.assign(nlp.settings, { autoSave: false, log: false });
  // One language: replies mix French and English, and per-language models halve the data.
  nlp.addLanguage('fr');
  for (const row of rows) nlp.addDocument('fr', row.text, row.intent);
  await nlp.train();
  return async (text) => {
    const { intent } = (await nlp.process('fr', text)) as { intent: string };
    return intent === 'None' ? 'UNKNOWN' : intent;
  };
};

async function measure(name: string, learner: Learner): Promise<string> {
  const started = process.hrtime.bigint();
  const fold = folds(corpus, 5, 20261129);
  let right = 0;
  for (let f = 0; f < 5; f++) {
    const classify = await learner(corpus.filter((_, i) => fold[i] !== f));
    for (const [i, row] of corpus.entries()) if (fold[i] === f && (await classify(row.text)) === row.intent) right++;
  }
  const classify = await learner(corpus);
  let devRight = 0;
  let optOuts = 0;
  for (const row of dev) {
    const got = await classify(row.text);
    if (got === row.intent) devRight++;
    if (row.intent === 'OPT_OUT' && got === 'OPT_OUT') optOuts++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;
  const devOptOuts = dev.filter((row) => row.intent === 'OPT_OUT').length;
  return `| ${name} | ${pct(right, corpus.length)} | ${pct(devRight, dev.length)} | ${optOuts}/${devOptOuts} | ${seconds.toFixed(0)} s |`;
}

const console_log = console.log;
console.log = () => {}; // NLP.js logs every training epoch and warns of replies with no words
console.warn = () => {};
const lines = [
  '| learner (model alone) | 5-fold CV accuracy | dev accuracy | dev opt-outs read as such | time (6 trainings) |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const [name, learner] of [
  ['softmax regression, char + word n-grams (chosen)', softmax],
  ['naive Bayes (wink), same features', naiveBayes],
  ['NLP.js neural network (@nlpjs/nlp)', nlpjs],
] as const) {
  // prettier-ignore
  lines.push(await measure(name, learner));
}
console.log = console_log;
process.stdout.write(`${lines.join('\n')}\n`);
