/**
 * Measures the interpreter on a labelled corpus (`npm run interpret:eval -- [file.tsv]`, by default
 * the development corpus): accuracy, opt-outs caught (read as OPT_OUT or held for review), hard
 * false opt-outs (suppressed without review, not opt-outs), review rate, per-intent precision and
 * recall, confusion table, misses.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ClassifierInterpreter, loadBundledModel } from '../../adapters/interpreter/classifier-interpreter.js';
import { CorpusError, evaluate, formatEvaluation, parseCorpus } from '../../adapters/interpreter/evaluation.js';
import { runIfMain, tool } from './tool.js';
import { help, usageError } from './usage.js';

const USAGE = `usage: npm run interpret:eval -- [file.tsv]

Measures the interpreter on a labelled corpus (default: test/fixtures/intents-dev.tsv): accuracy,
opt-outs caught, hard false opt-outs, review rate, per-intent precision and recall, confusion, misses.
`;

export const run = tool('interpret:eval', async (cli, args) => {
  const { values, positionals } = usageError(cli, USAGE, () =>
    parseArgs({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } }),
  );
  if (values.help) help(cli, USAGE);

  const file = positionals[0] ?? 'test/fixtures/intents-dev.tsv';
  let rows;
  try {
    rows = parseCorpus(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof CorpusError ? error.message : (error as NodeJS.ErrnoException).code;
    cli.stderr.write(`interpret:eval: cannot read ${file}: ${reason}\n`);
    return 1;
  }
  const interpreter = new ClassifierInterpreter(loadBundledModel());
  const at = new Date();
  cli.stdout.write(formatEvaluation(evaluate(rows, (row) => interpreter.interpret(row.text, at))));
  return 0;
});

await runIfMain(import.meta.url, run);
