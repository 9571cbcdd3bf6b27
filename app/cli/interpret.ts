/**
 * Interprets replies read from standard input, one per line (an empty line is an empty reply), and
 * writes one JSON object per line, in order: `{"intent", "confidence", "extracted"}`. Relative times
 * resolve against now. `npm run -s interpret` writes nothing else on standard output.
 */
import { createInterface } from 'node:readline';
import { LexiconInterpreter } from '../../adapters/interpreter/lexicon-interpreter.js';

const interpreter = new LexiconInterpreter();
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const { intent, confidence, extracted, secondary_intents } = interpreter.interpret(line, new Date());
  const data = secondary_intents.length > 0 ? { ...extracted, secondary_intents } : extracted;
  if (!process.stdout.write(`${JSON.stringify({ intent, confidence, extracted: data })}\n`)) {
    await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}
