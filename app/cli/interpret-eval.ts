/**
 * Measures the interpreter on a labelled corpus (`npm run interpret:eval -- [file.tsv]`, by default
 * the development corpus): accuracy, per-intent precision and recall, confusion table, misses.
 */
import { readFileSync } from 'node:fs';
import { LexiconInterpreter } from '../../adapters/interpreter/lexicon-interpreter.js';
import { CorpusError, evaluate, formatEvaluation, parseCorpus } from '../evaluation.js';

const file = process.argv[2] ?? 'test/fixtures/intents-dev.tsv';
try {
  const rows = parseCorpus(readFileSync(file, 'utf8'));
  process.stdout.write(formatEvaluation(evaluate(rows, new LexiconInterpreter(), new Date())));
} catch (error) {
  const reason = error instanceof CorpusError ? error.message : (error as NodeJS.ErrnoException).code;
  process.stderr.write(`interpret:eval: cannot read ${file}: ${reason}\n`);
  process.exitCode = 1;
}
