/**
 * Interprets replies read from standard input, one per line (an empty line is an empty reply), and
 * writes one JSON object per line, in order: `{"intent", "confidence", "extracted"}`. Relative times
 * resolve against now. `npm run -s interpret` writes nothing else on standard output.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LexiconInterpreter } from '../../adapters/interpreter/lexicon-interpreter.js';

const interpreter = new LexiconInterpreter();

async function* answers(): AsyncGenerator<string> {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const { intent, confidence, extracted, secondary_intents } = interpreter.interpret(line, new Date());
    const data = secondary_intents.length > 0 ? { ...extracted, secondary_intents } : extracted;
    yield `${JSON.stringify({ intent, confidence, extracted: data })}\n`;
  }
}

try {
  // The pipeline waits for standard output to drain rather than buffering a large input's answers.
  await pipeline(Readable.from(answers()), process.stdout);
} catch (error) {
  // The reader went away (`| head`): stop quietly, as Unix tools do. Anything else is an error.
  if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
}
