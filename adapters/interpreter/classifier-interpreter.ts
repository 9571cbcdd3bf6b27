/**
 * The response interpreter: rules first (keywords, replies with no words, reactions), then a
 * trained classifier (linear-model.ts) on the reply with its negation guards applied, then the
 * review policy, which holds for a person every reply that may be an opt-out without being
 * clearly one, and every reply the model is unsure of. Data is extracted whatever the intent.
 * Deterministic, in-process, never throws: a failure inside is read as "unsure", for a person.
 */
import { readFileSync } from 'node:fs';
import { INTENTS, UNREAD } from '../../core/intent.js';
import type { Intent, Interpretation } from '../../core/intent.js';
import type { ResponseInterpreter } from '../../core/ports/response-interpreter.js';
import type { CountryCode } from 'libphonenumber-js';
import { extract, SCAN_LIMIT } from './extraction.js';
import { bucketOf, featureStrings, modelTokens, tokenize, bucketsOf } from './features.js';
import { LinearModel } from './linear-model.js';
import type { ModelFile } from './linear-model.js';
import { decideByRule, languageOf, OPT_OUT_CUE, scopeOf } from './rules.js';
import { readText } from './text.js';

/** When a reply goes to a person; calibrated probabilities, chosen on cross-validation (see README). */
export interface ReviewPolicy {
  /** An opt-out read by the model is applied alone only at this probability or above. */
  readonly optOutSure: number;
  /** Any other reading with an opt-out probability at or above this is held for review. */
  readonly optOutPossible: number;
  /** A reading below this probability is held for review, whatever the intent. */
  readonly unsure: number;
}

export const DEFAULT_POLICY: ReviewPolicy = { optOutSure: 0.85, optOutPossible: 0.15, unsure: 0.2 };

/** Version of the interpreter, stored with every opt-out it decides (evidence). */
export const INTERPRETER_VERSION = 'classifier-1';

export interface Explanation {
  readonly decided_by: 'rule' | 'model';
  readonly rule: string | null;
  /** Spans read as "not a stop" before the model saw the reply. */
  readonly guarded: readonly string[];
  /** Probability of each intent, highest first (model decisions only). */
  readonly probabilities: readonly { intent: Intent; p: number }[];
  /** The features that pushed the chosen intent most, with their weight. */
  readonly top_features: readonly { feature: string; weight: number }[];
  readonly review_reason: string | null;
}

const MODEL_URL = new URL('./data/model.json', import.meta.url);

/** The model shipped with the project (`npm run train` writes it). */
export function loadBundledModel(): LinearModel {
  return LinearModel.fromFile(JSON.parse(readFileSync(MODEL_URL, 'utf8')) as ModelFile);
}

export class ClassifierInterpreter implements ResponseInterpreter {
  private readonly classIndex: readonly number[];

  constructor(
    private readonly model: LinearModel,
    private readonly policy: ReviewPolicy = DEFAULT_POLICY,
    /** Numbering of phone numbers written without a country code (PHONE_REGION). */
    private readonly region: CountryCode = 'FR',
  ) {
    this.classIndex = INTENTS.map((intent) => model.classes.indexOf(intent));
  }

  /** The model's weights' version: kept as evidence with each change of permission. */
  get version(): string {
    return this.model.version;
  }

  interpret(content: string, receivedAt: Date): Interpretation {
    return this.read(content, receivedAt).interpretation;
  }

  /** The interpretation and what decided it (`npm run interpret -- --explain`). */
  explain(content: string, receivedAt: Date): Interpretation & { explanation: Explanation } {
    const { interpretation, explanation } = this.read(content, receivedAt, true);
    return { ...interpretation, explanation: explanation as Explanation };
  }

  private read(
    content: string,
    receivedAt: Date,
    explain = false,
  ): { interpretation: Interpretation; explanation?: Explanation } {
    try {
      return this.decide(content, receivedAt, explain);
    } catch {
      // A bug here must not lose a reply: a person reads it.
      return {
        interpretation: UNREAD,
        explanation: {
          decided_by: 'rule',
          rule: 'interpreter failure',
          guarded: [],
          probabilities: [],
          top_features: [],
          review_reason: 'the interpreter failed',
        },
      };
    }
  }

  private decide(
    content: string,
    receivedAt: Date,
    explain: boolean,
  ): { interpretation: Interpretation; explanation?: Explanation } {
    const scanned = content.length > SCAN_LIMIT ? content.slice(0, SCAN_LIMIT) : content;
    const tokens = tokenize(scanned);
    const line = ` ${tokens.join(' ')} `;
    const language = languageOf(line);
    const rule = decideByRule(tokens, scanned);
    // A relayed reaction quotes our own message: its time, e-mail or phone are ours, not the prospect's.
    const extracted = rule?.reaction ? {} : extract(readText(scanned), receivedAt, this.region);
    if (rule !== null) {
      if (rule.intent === 'OPT_OUT') extracted['scope'] = scopeOf(line);
      const interpretation = {
        intent: rule.intent,
        confidence: rule.confidence,
        language,
        extracted,
        secondary_intents: [],
        review: rule.review,
      };
      const review_reason = rule.review ? `a person confirms: ${rule.rule}` : null;
      return {
        interpretation,
        explanation: {
          decided_by: 'rule',
          rule: rule.rule,
          guarded: [],
          probabilities: [],
          top_features: [],
          review_reason,
        },
      };
    }
    const { tokens: read, line: readLine, guarded } = modelTokens(tokens, line);
    const buckets = bucketsOf(read);
    const raw = this.model.probabilities(buckets);
    const p = this.classIndex.map((at) => (at === -1 ? 0 : (raw[at] as number)));
    let best = 0;
    for (let c = 1; c < p.length; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    const intent = INTENTS[best] as Intent;
    const confidence = p[best] as number;
    const optOut = p[INTENTS.indexOf('OPT_OUT')] as number;
    const review_reason =
      intent === 'OPT_OUT' && optOut < this.policy.optOutSure
        ? 'an opt-out, not certain'
        : intent !== 'OPT_OUT' && optOut >= this.policy.optOutPossible
          ? 'may be an opt-out'
          : intent !== 'OPT_OUT' && OPT_OUT_CUE.test(readLine)
            ? 'words that usually ask to stop'
            : confidence < this.policy.unsure
              ? 'low confidence'
              : null;
    if (intent === 'OPT_OUT') extracted['scope'] = scopeOf(line);
    const secondary_intents = INTENTS.filter(
      (other, c) => c !== best && other !== 'UNKNOWN' && (p[c] as number) >= 0.15,
    ).sort((a, b) => (p[INTENTS.indexOf(b)] as number) - (p[INTENTS.indexOf(a)] as number));
    const interpretation: Interpretation = {
      intent,
      confidence: round(confidence),
      language,
      extracted,
      secondary_intents,
      review: review_reason !== null,
    };
    if (!explain) return { interpretation };
    const probabilities = INTENTS.map((other, c) => ({ intent: other, p: round(p[c] as number) })).sort(
      (a, b) => b.p - a.p,
    );
    const names = [...new Set(featureStrings(read))];
    const weight = (feature: string) =>
      this.model.contribution(bucketOf(feature), this.classIndex[best] as number, buckets.length);
    const top_features = names
      .map((feature) => ({ feature, weight: round(weight(feature)) }))
      .filter(({ weight }) => weight !== 0)
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 8);
    return {
      interpretation,
      explanation: { decided_by: 'model', rule: null, guarded, probabilities, top_features, review_reason },
    };
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
