/**
 * Interprets replies read from standard input, one per line (an empty line is an empty reply), and
 * writes one JSON object per line, in order: `{"intent", "confidence", "review", "extracted",
 * "secondary_intents"}`, plus `"explanation"` with `--explain` (rule or model, guarded spans,
 * probabilities, the features that weighed most). Relative times resolve against now.
 * `npm run -s interpret` writes nothing else on standard output.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ClassifierInterpreter, loadBundledModel } from '../../adapters/interpreter/classifier-interpreter.js';
import { runIfMain, tool } from './tool.js';
import { help, usageError } from './usage.js';

const USAGE = `usage: npm run -s interpret -- [--explain] < replies.txt

Reads one reply a line on standard input and writes one JSON line each: intent, confidence,
review (true when held for a person), extracted data and secondary intents.
  --explain  add what decided: the rule, or the model's probabilities and strongest features
`;

export const run = tool('interpret', async (cli, args) => {
  const { values } = usageError(cli, USAGE, () =>
    parseArgs({
      args,
      options: { explain: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }),
  );
  if (values.help) help(cli, USAGE);

  const interpreter = new ClassifierInterpreter(loadBundledModel());

  async function* answers(): AsyncGenerator<string> {
    for await (const line of createInterface({ input: cli.stdin, crlfDelay: Infinity })) {
      const reading = values.explain ? interpreter.explain(line, new Date()) : interpreter.interpret(line, new Date());
      const { intent, confidence, review, extracted, secondary_intents } = reading;
      const explained = 'explanation' in reading ? { explanation: reading.explanation } : {};
      yield `${JSON.stringify({ intent, confidence, review, extracted, secondary_intents, ...explained })}\n`;
    }
  }

  try {
    // The pipeline waits for standard output to drain rather than buffering a large input's answers.
    await pipeline(Readable.from(answers()), cli.stdout);
  } catch (error) {
    // The reader went away (`| head`): stop quietly, as Unix tools do. Anything else is an error.
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
  return 0;
});

await runIfMain(import.meta.url, run);
