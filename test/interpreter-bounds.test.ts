import t from 'tap';
import { ClassifierInterpreter, loadBundledModel } from '../adapters/interpreter/classifier-interpreter.js';
import { findEmail, findPhones } from '../adapters/interpreter/contacts.js';
import { extract, SCAN_LIMIT } from '../adapters/interpreter/extraction.js';
import { readText } from '../adapters/interpreter/text.js';

// Bounded work is shown by how cost grows with size, measured in one process, never by a fixed
// time: a linear pattern costs about 10 times more on a text 10 times longer, a quadratic one about
// 100 times more, and a capped one the same. The best of several runs is compared, so a busy machine
// slows both sizes alike.
const interpreter = new ClassifierInterpreter(loadBundledModel());
const AT = new Date('2026-11-25T09:00:00Z');

/** The best of 7 samples of 10 runs each: long enough that a pause of the collector or of the machine does not decide. */
function cost(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const started = process.hrtime.bigint();
    for (let j = 0; j < 10; j++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - started));
  }
  return best;
}

/** The cost ratio of `make(10 * n)` to `make(n)`. */
function growth(make: (n: number) => string, read: (text: string) => unknown, n: number): number {
  const small = make(n);
  const large = make(10 * n);
  read(small); // compile and warm up
  return cost(() => read(large)) / cost(() => read(small));
}

const HOSTILE: Record<string, (n: number) => string> = {
  'letters after one emoji, no @': (n) => `😀 ${'a'.repeat(n)}`,
  'many @ without a domain': (n) => `é${'a@'.repeat(n / 2)}`,
  'dots after an @': (n) => `é jean@${'a.'.repeat(n / 2)}`,
  'digits and separators': (n) => '0 '.repeat(n / 2),
  'words and emoji': (n) => 'stop 😡 arrêtez '.repeat(n / 16),
};

t.test('contact patterns are linear on hostile text', async (t) => {
  for (const [name, make] of Object.entries(HOSTILE)) {
    const email = growth(make, (text) => findEmail(text, text), 20_000);
    const phone = growth(make, (text) => findPhones(text), 20_000);
    t.ok(email < 30, `${name}: findEmail grows ${email.toFixed(1)}x for 10x the text`);
    t.ok(phone < 30, `${name}: findPhones grows ${phone.toFixed(1)}x for 10x the text`);
  }
});

t.test('the interpreter reads a fixed amount of any reply: 40,000 characters cost what 4,000 do', async (t) => {
  for (const [name, make] of Object.entries(HOSTILE)) {
    const ratio = growth(make, (text) => interpreter.interpret(text, AT), 4000);
    t.ok(ratio < 5, `${name}: ${ratio.toFixed(1)}x for 10x the text (read in full: 10x)`);
  }
  const long = `${'Bonjour, je vous écris au sujet de votre offre 😀 '.repeat(800)} STOP`;
  t.ok(long.length > 40_000);
  const result = interpreter.interpret(long, AT);
  t.equal(typeof result.intent, 'string', 'a 40,000-character body with emoji is read without throwing');
  t.ok(SCAN_LIMIT >= 1600, 'at least a whole Twilio message (1,600 characters) is scanned');
  t.same(extract(readText('x'.repeat(10)), AT), {}, 'nothing found, nothing extracted');
});
