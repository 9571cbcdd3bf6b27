import t from 'tap';
import { readFileSync } from 'node:fs';
import { LexiconInterpreter } from '../adapters/interpreter/lexicon-interpreter.js';
import { evaluate, formatEvaluation, parseCorpus } from '../adapters/interpreter/evaluation.js';

// The development corpus (copied from the labelled set the interpreter is tuned on) and replies
// we wrote ourselves the way prospects write, to check the rules generalize beyond those rows.
const CORPORA = ['intents-dev.tsv', 'intents-extra.tsv'];
const AT = new Date('2026-11-25T09:00:00Z');

for (const file of CORPORA) {
  t.test(`quality bars on ${file}`, async (t) => {
    const rows = parseCorpus(readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8'));
    const e = evaluate(rows, new LexiconInterpreter(), AT);
    t.comment(formatEvaluation(e));
    t.ok(rows.length >= 90, `${rows.length} labelled replies`);
    t.equal(e.perIntent.OPT_OUT.recall, 1, 'every opt-out is read as one');
    t.ok(e.falseOptOuts <= 2, `at most two other replies read as opt-outs (${e.falseOptOuts})`);
    t.ok(e.accuracy >= 0.95, `intent accuracy ${(e.accuracy * 100).toFixed(1)} % >= 95 %`);
    t.same(e.contacts.misses, [], `all ${e.contacts.expected} e-mails and phones extracted exactly`);
    const timeShare = 1 - e.timeFields.misses.length / Math.max(e.timeFields.expected, 1);
    t.ok(timeShare >= 0.9, `time fields exact: ${(timeShare * 100).toFixed(1)} % >= 90 %`);
  });
}
