import { INTENTS, isIntent } from '../../core/intent.js';
import type { Intent, Interpretation } from '../../core/intent.js';
import { tokenize } from './features.js';

/** One labelled reply of a corpus file (see test/fixtures/intents-dev.tsv for the format). */
export interface LabelledReply {
  readonly id: string;
  readonly text: string;
  readonly intent: Intent;
  readonly extracted: Readonly<Record<string, unknown>>;
}

export class CorpusError extends Error {}

/**
 * Reads a corpus: UTF-8, tab-separated, a header row naming at least `id`, `text`, `intent` and
 * `extracted`, fields never quoted (bodies may keep leading or trailing spaces, or be empty).
 */
export function parseCorpus(tsv: string): LabelledReply[] {
  const lines = tsv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines.shift() as string).split('\t');
  const column = (name: string) => {
    const at = header.indexOf(name);
    if (at === -1) throw new CorpusError(`the header has no "${name}" column`);
    return at;
  };
  const [id, text, intent, extracted] = [column('id'), column('text'), column('intent'), column('extracted')];
  const rows: LabelledReply[] = [];
  lines.forEach((line, index) => {
    if (line === '') return;
    const fields = line.split('\t');
    const label = fields[intent] ?? '';
    if (!isIntent(label)) throw new CorpusError(`line ${index + 2}: unknown intent "${label}"`);
    let data: Record<string, unknown> = {};
    const json = fields[extracted] ?? '';
    if (json !== '') {
      try {
        data = JSON.parse(json) as Record<string, unknown>;
      } catch {
        throw new CorpusError(`line ${index + 2}: "extracted" is not JSON`);
      }
    }
    // The intent column exists on this row, so the columns before it do too.
    rows.push({ id: fields[id] as string, text: fields[text] as string, intent: label, extracted: data });
  });
  return rows;
}

export interface Miss {
  readonly id: string;
  readonly text: string;
  readonly expected: string;
  readonly got: string;
}

export interface Evaluation {
  readonly total: number;
  readonly accuracy: number;
  readonly perIntent: Record<Intent, { precision: number; recall: number; support: number }>;
  /** confusion[expected][predicted] = count. */
  readonly confusion: Record<Intent, Record<Intent, number>>;
  /** Opt-outs read as OPT_OUT or held for review: none of them is texted again. */
  readonly optOutsCaught: number;
  readonly optOuts: number;
  /** Replies that are not opt-outs and were suppressed without review (read as OPT_OUT, not held). */
  readonly hardFalseOptOuts: number;
  /** Replies held for a person. */
  readonly reviewed: number;
  readonly intentMisses: readonly Miss[];
  /** Opt-outs neither read as one nor held: the worst error. */
  readonly missedOptOuts: readonly Miss[];
  /** E-mails and phones the corpus has, and those not extracted exactly. */
  readonly contacts: { readonly expected: number; readonly misses: readonly Miss[] };
  /** Time fields the corpus has (day, time, offset...), and those not extracted exactly. */
  readonly timeFields: { readonly expected: number; readonly misses: readonly Miss[] };
}

const TIME_FIELDS = [
  'when_text',
  'day',
  'week',
  'date',
  'day_of_month',
  'time',
  'time_from',
  'time_to',
  'period',
  'offset',
  'constraint',
  'options',
  'exclude_days',
];
/** JSON with sorted keys, so that two objects with the same fields compare equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  ) ?? 'nothing';
const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

/** Reads each labelled reply with `read` (an interpreter, or a fold's interpreter) and measures. */
export function evaluate(rows: readonly LabelledReply[], read: (row: LabelledReply) => Interpretation): Evaluation {
  const confusion = Object.fromEntries(
    INTENTS.map((expected) => [expected, Object.fromEntries(INTENTS.map((got) => [got, 0]))]),
  ) as Record<Intent, Record<Intent, number>>;
  const intentMisses: Miss[] = [];
  const missedOptOuts: Miss[] = [];
  const contactMisses: Miss[] = [];
  const timeMisses: Miss[] = [];
  let contacts = 0;
  let times = 0;
  let optOuts = 0;
  let hardFalseOptOuts = 0;
  let reviewed = 0;
  for (const row of rows) {
    const result = read(row);
    confusion[row.intent][result.intent] += 1;
    const got = result.review ? `${result.intent} (review)` : result.intent;
    if (result.review) reviewed += 1;
    if (result.intent !== row.intent) intentMisses.push({ id: row.id, text: row.text, expected: row.intent, got });
    if (row.intent === 'OPT_OUT') {
      optOuts += 1;
      if (result.intent !== 'OPT_OUT' && !result.review)
        missedOptOuts.push({ id: row.id, text: row.text, expected: row.intent, got });
    } else if (result.intent === 'OPT_OUT' && !result.review) hardFalseOptOuts += 1;
    for (const field of Object.keys(row.extracted)) {
      const expected = canonical(row.extracted[field]);
      const found = canonical(result.extracted[field]);
      const miss = { id: row.id, text: row.text, expected: `${field}=${expected}`, got: `${field}=${found}` };
      if (field === 'email' || field === 'phone') {
        contacts += 1;
        if (found !== expected) contactMisses.push(miss);
      } else if (TIME_FIELDS.includes(field)) {
        times += 1;
        if (found !== expected) timeMisses.push(miss);
      }
    }
  }
  const perIntent = Object.fromEntries(
    INTENTS.map((intent) => {
      const truePositives = confusion[intent][intent];
      const support = INTENTS.reduce((sum, got) => sum + confusion[intent][got], 0);
      const predicted = INTENTS.reduce((sum, expected) => sum + confusion[expected][intent], 0);
      return [intent, { precision: ratio(truePositives, predicted), recall: ratio(truePositives, support), support }];
    }),
  ) as Evaluation['perIntent'];
  return {
    total: rows.length,
    accuracy: ratio(rows.length - intentMisses.length, rows.length),
    perIntent,
    confusion,
    optOutsCaught: optOuts - missedOptOuts.length,
    optOuts,
    hardFalseOptOuts,
    reviewed,
    intentMisses,
    missedOptOuts,
    contacts: { expected: contacts, misses: contactMisses },
    timeFields: { expected: times, misses: timeMisses },
  };
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const SHORT: Record<Intent, string> = {
  OPT_OUT: 'OUT', OPT_IN: 'IN', HELP: 'HLP', INTERESTED: 'INT', NOT_INTERESTED: 'NOT', CALLBACK_REQUEST: 'CB',
  MEETING: 'MTG', QUESTION: 'Q', WRONG_NUMBER: 'WRG', UNKNOWN: 'UNK',
}; // prettier-ignore

/** The evaluation as a plain-text report: headline figures, per-intent table, confusion table, misses. */
export function formatEvaluation(e: Evaluation, misses = true): string {
  const row = (intent: Intent) => {
    const { precision, recall, support } = e.perIntent[intent];
    return `${intent.padEnd(17)}${pct(precision).padStart(10)}${pct(recall).padStart(9)}${String(support).padStart(9)}`;
  };
  const lines = [
    `messages: ${e.total}   accuracy: ${pct(e.accuracy)}   opt-outs caught: ${e.optOutsCaught}/${e.optOuts} (${pct(ratio(e.optOutsCaught, e.optOuts))})   hard false opt-outs: ${e.hardFalseOptOuts}   review rate: ${pct(ratio(e.reviewed, e.total))} (${e.reviewed})`,
    `e-mail/phone exact: ${e.contacts.expected - e.contacts.misses.length}/${e.contacts.expected}   time fields exact: ${e.timeFields.expected - e.timeFields.misses.length}/${e.timeFields.expected}`,
    '',
    `${'intent'.padEnd(17)}${'precision'.padStart(10)}${'recall'.padStart(9)}${'support'.padStart(9)}`,
    ...INTENTS.map(row),
    '',
    `confusion (rows: expected, columns: read as)`,
    `${''.padEnd(17)}${INTENTS.map((intent) => SHORT[intent].padStart(5)).join('')}`,
    ...INTENTS.map(
      (expected) =>
        `${expected.padEnd(17)}${INTENTS.map((got) => String(e.confusion[expected][got] || '.').padStart(5)).join('')}`,
    ),
  ];
  const all = misses
    ? [
        ...e.missedOptOuts.map((m) => ({ ...m, id: `${m.id} MISSED OPT-OUT` })),
        ...e.intentMisses,
        ...e.contacts.misses,
        ...e.timeFields.misses,
      ]
    : [];
  if (all.length > 0) lines.push('', 'misses:');
  for (const miss of all)
    lines.push(`  ${miss.id}  ${JSON.stringify(miss.text)}  expected ${miss.expected}, got ${miss.got}`);
  return lines.join('\n') + '\n';
}

/** The character trigrams of a reply's words (see features.ts): what `similarity` compares. */
export function trigrams(text: string): Set<string> {
  const line = ` ${tokenize(text).join(' ')} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= line.length; i++) grams.add(line.slice(i, i + 3));
  return grams;
}

/**
 * How alike two replies are, from 0 to 1: the Jaccard index of their character trigrams, after
 * case, accents and punctuation are folded. 1 for the same words; a reworded reply stays low.
 */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}
