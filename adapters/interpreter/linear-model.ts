import { createHash } from 'node:crypto';
import { BUCKET_BITS } from './features.js';
/**
 * A multinomial logistic regression over hashed reply features (see features.ts): one weight per
 * (feature bucket, intent) and a bias per intent. Each reply's features are binary and scaled to
 * unit length, so a long reply does not weigh more than a short one. Probabilities are calibrated
 * by a temperature fitted on cross-validated predictions at training time.
 */

/** The model as committed (`adapters/interpreter/data/model.json`), written by `npm run train`. */
export interface ModelFile {
  readonly format: 1;
  /** Class names, in the order of each weight row. */
  readonly classes: readonly string[];
  readonly temperature: number;
  readonly bias: readonly number[];
  /** Feature buckets, base64 of a little-endian Int32Array, increasing. */
  readonly buckets: string;
  /** Weights, base64 of a little-endian Float32Array: `classes.length` per bucket, in bucket order. */
  readonly weights: string;
  /** What it was trained on and how, for the record (not read at run time). */
  readonly trained: Readonly<Record<string, unknown>>;
}

export class ModelError extends Error {
  readonly code = 'MODEL_INVALID';
}

export class LinearModel {
  /**
   * Which of the 2^20 buckets have weights, one bit each (128 KiB), and how many buckets with
   * weights come before each 32-bit word (128 KiB): a bucket's weight row is found with two small
   * arrays that stay in the processor's caches, instead of probing a hash table four times larger.
   */
  private readonly present: Int32Array;
  private readonly rank: Int32Array;

  constructor(
    readonly classes: readonly string[],
    private readonly bias: Float64Array,
    private readonly buckets: Int32Array,
    private readonly weights: Float32Array,
    readonly temperature: number,
    /** Which trained weights these are (the ledger's evidence names it); `untrained` while training. */
    readonly version = 'untrained',
  ) {
    this.present = new Int32Array(1 << (BUCKET_BITS - 5));
    for (const bucket of buckets)
      this.present[bucket >>> 5] = (this.present[bucket >>> 5] as number) | (1 << (bucket & 31));
    this.rank = new Int32Array(this.present.length);
    let before = 0;
    for (let word = 0; word < this.present.length; word++) {
      this.rank[word] = before;
      before += popcount(this.present[word] as number);
    }
  }

  /** Where a bucket's weights start, or -1 when the model has none for it (buckets increase, so rows follow them). */
  private offsetOf(bucket: number): number {
    const word = bucket >>> 5;
    const bits = this.present[word] as number;
    const bit = 1 << (bucket & 31);
    if ((bits & bit) === 0) return -1;
    return ((this.rank[word] as number) + popcount(bits & (bit - 1))) * this.classes.length;
  }

  static fromFile(file: ModelFile): LinearModel {
    const classes = file.classes;
    const buckets = new Int32Array(toArrayBuffer(file.buckets));
    const weights = new Float32Array(toArrayBuffer(file.weights));
    if (
      file.format !== 1 ||
      file.bias.length !== classes.length ||
      weights.length !== buckets.length * classes.length ||
      !(file.temperature > 0) ||
      !buckets.every(
        (bucket, i) => bucket >= (i === 0 ? 0 : (buckets[i - 1] as number) + 1) && bucket < 1 << BUCKET_BITS,
      )
    ) {
      throw new ModelError('the model file does not fit its own shape');
    }
    const version = createHash('sha256').update(file.buckets).update(file.weights).digest('hex').slice(0, 12);
    return new LinearModel(classes, Float64Array.from(file.bias), buckets, weights, file.temperature, version);
  }

  /** The same weights with another calibration temperature. */
  withTemperature(temperature: number): LinearModel {
    return new LinearModel(this.classes, this.bias, this.buckets, this.weights, temperature);
  }

  /** The trained numbers, for writing the model file. */
  parameters(): { buckets: Int32Array; weights: Float32Array; bias: Float64Array } {
    return { buckets: this.buckets, weights: this.weights, bias: this.bias };
  }

  /** Probabilities from a reply's feature buckets (see `featureBuckets`). */
  probabilities(buckets: Int32Array): Float64Array {
    const scores = this.scores(buckets);
    return softmax(scores, this.temperature);
  }

  /** Raw scores (logits) before calibration. */
  scores(buckets: Int32Array): Float64Array {
    const k = this.classes.length;
    const sums = new Float64Array(k);
    for (let i = 0; i < buckets.length; i++) {
      const row = this.offsetOf(buckets[i] as number);
      if (row === -1) continue;
      for (let c = 0; c < k; c++) sums[c] = (sums[c] as number) + (this.weights[row + c] as number);
    }
    // Binary features scaled to unit length; every reply has some (its length is one).
    const value = 1 / Math.sqrt(buckets.length);
    for (let c = 0; c < k; c++) sums[c] = (this.bias[c] as number) + (sums[c] as number) * value;
    return sums;
  }

  /** How much one feature bucket pushes class `c`, for a reply with `count` feature buckets. */
  contribution(bucket: number, c: number, count: number): number {
    const row = this.offsetOf(bucket);
    return row === -1 ? 0 : (this.weights[row + c] as number) / Math.sqrt(count);
  }
}

export function softmax(scores: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const score of scores) max = Math.max(max, score);
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    out[c] = Math.exp(((scores[c] as number) - max) / temperature);
    sum += out[c] as number;
  }
  for (let c = 0; c < out.length; c++) out[c] = (out[c] as number) / sum;
  return out;
}

/** The number of bits set in a 32-bit integer. */
function popcount(bits: number): number {
  let v = bits - ((bits >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function toArrayBuffer(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
