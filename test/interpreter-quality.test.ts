import t from 'tap';
import { readFileSync } from 'node:fs';
import { ClassifierInterpreter, loadBundledModel } from '../adapters/interpreter/classifier-interpreter.js';
import { evaluate, formatEvaluation, parseCorpus } from '../adapters/interpreter/evaluation.js';

// Neither file was trained on: the development corpus (the labelled test set the project was
// given) and the held-out replies written for this project before the model was tuned, by a writer
// who saw neither the training corpus nor the development corpus. Figures: README, "Interpreter".
const interpreter = new ClassifierInterpreter(loadBundledModel());
const AT = new Date('2026-11-25T09:00:00Z');
// The review thresholds (chosen on cross-validation) trade reviews for fewer replies suppressed
// without being opt-outs: the held-out file went from 2 such replies and 9.9 % held to 1 and 12.2 %.
const BARS = {
  'intents-dev.tsv': { accuracy: 0.92, hardFalseOptOuts: 0, reviewRate: 0.08 },
  'intents-holdout.tsv': { accuracy: 0.92, hardFalseOptOuts: 1, reviewRate: 0.13 },
};

for (const [file, bar] of Object.entries(BARS)) {
  t.test(`quality bars on ${file}`, async (t) => {
    const rows = parseCorpus(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8'));
    const e = evaluate(rows, (row) => interpreter.interpret(row.text, AT));
    t.comment(formatEvaluation(e, false));
    t.ok(rows.length >= 150, `${rows.length} labelled replies`);
    t.same(e.missedOptOuts, [], 'every opt-out is read as one or held for a person');
    t.ok(
      e.hardFalseOptOuts <= bar.hardFalseOptOuts,
      `replies suppressed without review that are not opt-outs: ${e.hardFalseOptOuts} <= ${bar.hardFalseOptOuts}`,
    );
    t.ok(e.accuracy >= bar.accuracy, `intent accuracy ${(e.accuracy * 100).toFixed(1)} % >= ${bar.accuracy * 100} %`);
    t.ok(
      e.reviewed / e.total <= bar.reviewRate,
      `review rate ${((e.reviewed / e.total) * 100).toFixed(1)} % <= ${bar.reviewRate * 100} %`,
    );
  });
}

t.test('extraction on both files', async (t) => {
  const dev = parseCorpus(readFileSync(new URL('fixtures/intents-dev.tsv', import.meta.url), 'utf8'));
  const e = evaluate(dev, (row) => interpreter.interpret(row.text, AT));
  t.same(e.contacts.misses, [], `all ${e.contacts.expected} e-mails and phones of the development corpus`);
  const timeShare = 1 - e.timeFields.misses.length / e.timeFields.expected;
  t.ok(timeShare >= 0.9, `time fields exact: ${(timeShare * 100).toFixed(1)} % >= 90 %`);
  const holdout = parseCorpus(readFileSync(new URL('fixtures/intents-holdout.tsv', import.meta.url), 'utf8'));
  const h = evaluate(holdout, (row) => interpreter.interpret(row.text, AT));
  const found = h.contacts.expected - h.contacts.misses.length;
  t.ok(found / h.contacts.expected >= 0.9, `held-out e-mails and phones exact: ${found}/${h.contacts.expected}`);
});
