/**
 * Trains the interpreter's model (`npm run train`): reads the training corpus, measures the whole
 * interpreter (rules and model) by 5-fold cross-validation, fits the probability temperature on
 * the held-out folds, trains on everything and writes adapters/interpreter/data/model.json.
 * Deterministic: the same corpus gives the same file.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ClassifierInterpreter } from '../../adapters/interpreter/classifier-interpreter.js';
import { evaluate, formatEvaluation, parseCorpus } from '../../adapters/interpreter/evaluation.js';
import type { LabelledReply } from '../../adapters/interpreter/evaluation.js';
import { crossValidate, DEFAULT_OPTIONS, toModelFile, train } from '../../adapters/interpreter/training.js';
import { INTENTS } from '../../core/intent.js';
import { cliRepository } from './db.js';
import { runIfMain, tool } from './tool.js';
import { help, usageError } from './usage.js';

const USAGE = `usage: npm run train -- [--with-reviewed] [--no-write] [--corpus FILE] [--out FILE]

Trains the reply classifier on the training corpus (adapters/interpreter/data/train.tsv), prints its
5-fold cross-validation, and writes the model (adapters/interpreter/data/model.json).
  --with-reviewed  also train on the replies people labelled with \`npm run review\` (reads the database)
  --no-write       measure only
  --corpus FILE    another training corpus (same TSV format)
  --out FILE       write the model there
`;
const DATA = new URL('../../adapters/interpreter/data/', import.meta.url);

export const run = tool('train', async (cli, args) => {
  const { values } = usageError(cli, USAGE, () =>
    parseArgs({
      args,
      options: {
        'with-reviewed': { type: 'boolean', default: false },
        'no-write': { type: 'boolean', default: false },
        corpus: { type: 'string', default: fileURLToPath(new URL('train.tsv', DATA)) },
        out: { type: 'string', default: fileURLToPath(new URL('model.json', DATA)) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) help(cli, USAGE);

  const corpus = readFileSync(values.corpus, 'utf8');
  const rows: LabelledReply[] = parseCorpus(corpus);
  let reviewed = 0;
  if (values['with-reviewed']) {
    const { repository, db } = await cliRepository(cli);
    try {
      const examples = await repository.listReviewExamples();
      reviewed = examples.length;
      examples.forEach(({ text, intent }, i) => rows.push({ id: `review-${i + 1}`, text, intent, extracted: {} }));
    } finally {
      await db.destroy();
    }
  }

  const started = process.hrtime.bigint();
  const at = new Date('2026-01-05T09:00:00Z');
  const cv = crossValidate(rows, INTENTS, 5);
  const folds = cv.models.map((model) => new ClassifierInterpreter(model));
  const foldOf = new Map(rows.map((row, i) => [row, cv.folds[i] as number]));
  const report = evaluate(rows, (row) =>
    (folds[foldOf.get(row) as number] as ClassifierInterpreter).interpret(row.text, at),
  );
  const model = train(rows, INTENTS).withTemperature(cv.temperature);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  cli.stdout.write(`training corpus: ${rows.length} replies (${reviewed} reviewed)\n`);
  cli.stdout.write(`5-fold cross-validation of the interpreter (rules and model):\n${formatEvaluation(report, false)}`);
  cli.stdout.write(
    `temperature: ${cv.temperature}   features: ${model.parameters().buckets.length}   ${seconds.toFixed(1)} s\n`,
  );
  if (!values['no-write']) {
    const file = toModelFile(model, cv.temperature, {
      replies: rows.length,
      reviewed,
      corpus_sha256: createHash('sha256').update(corpus).digest('hex'),
      options: DEFAULT_OPTIONS,
      cross_validation_accuracy: Math.round(report.accuracy * 10000) / 10000,
    });
    writeFileSync(values.out, `${JSON.stringify(file)}\n`);
    cli.stdout.write(`model written to ${values.out}\n`);
  }
  return 0;
});

await runIfMain(import.meta.url, run);
