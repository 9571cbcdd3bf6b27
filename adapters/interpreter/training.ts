/**
 * Trains the linear model of linear-model.ts: softmax regression with L2, by stochastic gradient
 * descent with AdaGrad steps, in an order drawn from a seeded generator, so that the same corpus
 * and options always give the same bytes. A few seconds on one core for a few thousand replies.
 */
import { featureBuckets } from './features.js';
import { LinearModel, softmax } from './linear-model.js';
import type { ModelFile } from './linear-model.js';

export interface Example {
  readonly text: string;
  readonly intent: string;
}

export interface TrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 penalty on the weights, per step. */
  readonly l2: number;
  /** A feature must occur in this many training replies to get weights. */
  readonly minCount: number;
  readonly seed: number;
  /** Each class's examples weigh (mean class size / class size) to this power: 0 for none, 1 for balanced. */
  readonly balance: number;
}

/** Chosen on 5-fold cross-validation of the training corpus (docs/interpreter.md). */
export const DEFAULT_OPTIONS: TrainingOptions = {
  epochs: 25,
  learningRate: 0.2,
  l2: 1e-4,
  minCount: 2,
  seed: 20261129,
  balance: 0.5,
};

/** mulberry32: a small seeded generator; the training order depends on nothing else. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Trains on `examples`; every intent of `classes` gets a row, seen or not. */
export function train(
  examples: readonly Example[],
  classes: readonly string[],
  options = DEFAULT_OPTIONS,
): LinearModel {
  const k = classes.length;
  const encoded = examples.map((example) => ({
    buckets: featureBuckets(example.text),
    label: classes.indexOf(example.intent),
  }));
  const counts = new Map<number, number>();
  for (const { buckets } of encoded) for (const bucket of buckets) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  const kept = [...counts].filter(([, count]) => count >= options.minCount).map(([bucket]) => bucket);
  kept.sort((a, b) => a - b);
  const index = new Map(kept.map((bucket, i) => [bucket, i]));
  const rows = encoded.map(({ buckets, label }) => ({
    features: Int32Array.from([...buckets].map((bucket) => index.get(bucket) ?? -1).filter((i) => i >= 0)),
    // Every reply has features (its length is one), so this is finite.
    value: 1 / Math.sqrt(buckets.length),
    label,
  }));

  const sizes = classes.map((_, c) => rows.filter((row) => row.label === c).length);
  const classWeight = sizes.map((size) => (size === 0 ? 0 : (rows.length / k / size) ** options.balance));
  const weights = new Float64Array(kept.length * k);
  const squares = new Float64Array(kept.length * k);
  const bias = new Float64Array(k);
  const biasSquares = new Float64Array(k);
  const random = seededRandom(options.seed);
  const order = rows.map((_, i) => i);
  const scores = new Float64Array(k);
  const { learningRate: rate, l2 } = options;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const r of order) {
      const { features, value, label } = rows[r] as (typeof rows)[number];
      scores.set(bias);
      for (const f of features) {
        for (let c = 0; c < k; c++) scores[c] = (scores[c] as number) + (weights[f * k + c] as number) * value;
      }
      const p = softmax(scores, 1);
      for (let c = 0; c < k; c++) {
        const error = ((p[c] as number) - (c === label ? 1 : 0)) * (classWeight[label] as number);
        const biasSquare = (biasSquares[c] as number) + error * error;
        biasSquares[c] = biasSquare;
        bias[c] = (bias[c] as number) - (rate * error) / (Math.sqrt(biasSquare) + 1e-8);
        for (const f of features) {
          const at = f * k + c;
          const gradient = error * value + l2 * (weights[at] as number);
          const square = (squares[at] as number) + gradient * gradient;
          squares[at] = square;
          weights[at] = (weights[at] as number) - (rate * gradient) / (Math.sqrt(square) + 1e-8);
        }
      }
    }
  }
  return new LinearModel(classes, bias, Int32Array.from(kept), Float32Array.from(weights), 1);
}

/** Stratified folds: each intent's replies are dealt round-robin, after a seeded shuffle. */
export function folds(examples: readonly Example[], count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const fold = new Array<number>(examples.length).fill(0);
  const byIntent = new Map<string, number[]>();
  examples.forEach((example, i) => byIntent.set(example.intent, [...(byIntent.get(example.intent) ?? []), i]));
  let next = 0;
  for (const intent of [...byIntent.keys()].sort()) {
    for (const i of shuffle(byIntent.get(intent) as number[], random)) fold[i] = next++ % count;
  }
  return fold;
}

/**
 * The temperature that makes predicted probabilities honest: the one minimising the log-loss of
 * out-of-fold scores (scores of replies the model did not see), searched on a grid.
 */
export function fitTemperature(scores: readonly Float64Array[], labels: readonly number[]): number {
  let best = { temperature: 1, loss: Infinity };
  for (let temperature = 0.2; temperature <= 4.001; temperature += 0.05) {
    let loss = 0;
    scores.forEach(
      (score, i) => (loss -= Math.log((softmax(score, temperature)[labels[i] as number] as number) + 1e-12)),
    );
    if (loss < best.loss) best = { temperature: Math.round(temperature * 100) / 100, loss };
  }
  return best.temperature;
}

export interface CrossValidation {
  /** The fold of each example. */
  readonly folds: readonly number[];
  /** One model per fold, trained without that fold, calibrated with `temperature`. */
  readonly models: readonly LinearModel[];
  readonly temperature: number;
}

/** K-fold cross-validation: one model per fold, and the temperature fitted on held-out scores. */
export function crossValidate(
  examples: readonly Example[],
  classes: readonly string[],
  k: number,
  options = DEFAULT_OPTIONS,
): CrossValidation {
  // prettier-ignore
  const fold = folds(examples, k, options.seed);
  const models: LinearModel[] = [];
  const scores: Float64Array[] = [];
  const labels: number[] = [];
  for (let f = 0; f < k; f++) {
    const model = train(
      examples.filter((_, i) => fold[i] !== f),
      classes,
      options,
    );
    models.push(model);
    examples.forEach((example, i) => {
      if (fold[i] !== f) return;
      scores.push(model.scores(featureBuckets(example.text)));
      labels.push(classes.indexOf(example.intent));
    });
  }
  const temperature = fitTemperature(scores, labels);
  return { folds: fold, models: models.map((model) => model.withTemperature(temperature)), temperature };
}

/** The model as the committed file, with its temperature and a record of its training. */
export function toModelFile(model: LinearModel, temperature: number, trained: Record<string, unknown>): ModelFile {
  const { buckets, weights, bias } = model.parameters();
  return {
    format: 1,
    classes: model.classes,
    temperature,
    bias: [...bias].map((b) => Math.round(b * 1e6) / 1e6),
    buckets: Buffer.from(buckets.buffer, buckets.byteOffset, buckets.byteLength).toString('base64'),
    weights: Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength).toString('base64'),
    trained,
  };
}
