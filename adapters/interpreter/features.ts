/**
 * What the statistical model sees of a reply: words, word pairs and triples, the character n-grams
 * of each word (what survives typos, missing accents, shorthand and spaced letters) and those that
 * straddle two words ("pk pas", "no mo"), words under a negation ("pas intéressé", "ça m'intéresse
 * pas", "not interested"), emoji, punctuation that carries meaning (`?`, `!`, `@`, `=`) and the length
 * of the reply. Each feature is a short string hashed into one of 2^20 buckets; the model keeps a
 * weight vector for the buckets it was trained on.
 */
import { foldLookAlikes } from './normalize.js';
import { guard } from './rules.js';
import { hasTripleLetter } from './text.js';

export const BUCKET_BITS = 20;
const BUCKET_MASK = (1 << BUCKET_BITS) - 1;
/** Only the start of a long reply is read: what decides an intent is said early, and work stays bounded. */
export const FEATURE_TEXT_LIMIT = 1000;
const MIN_GRAM = 3;
const MAX_GRAM = 4;

const foldCache = new Map<string, string>();
const LETTER = /\p{L}/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** The token between two sentences (a full stop, a semicolon, a new line). */
export const BOUNDARY = '.';

/** A letter lower-cased with its accents removed (`É` → `e`, `œ` → `oe`); cached per character. */
function foldLetter(char: string): string {
  let folded = foldCache.get(char);
  if (folded === undefined) {
    folded = char
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase();
    if (folded === 'œ') folded = 'oe';
    else if (folded === 'æ') folded = 'ae';
    else if (folded === 'ß') folded = 'ss';
    if (foldCache.size < 4096) foldCache.set(char, folded);
  }
  return folded;
}

/**
 * The reply's tokens: words in lower case without accents, digits kept, emoji and `? ! @ =` as
 * tokens of their own, and `BOUNDARY` between two sentences (after a full stop, a semicolon or a
 * new line; none at the end). Letters spelled one by one ("s t o p", "S.T.O.P") are joined, and a
 * letter repeated three times or more is read twice ("stoooop" → "stoop").
 */
export function tokenize(reply: string): string[] {
  const text = foldLookAlikes(reply.length > FEATURE_TEXT_LIMIT ? reply.slice(0, FEATURE_TEXT_LIMIT) : reply);
  const tokens: string[] = [];
  let word = '';
  const flush = () => {
    if (word !== '') tokens.push(hasTripleLetter(word) ? word.replace(/([a-z])\1\1+/g, '$1$1') : word);
    word = '';
  };
  // After a full stop, a new sentence unless a letter or digit follows ("3.5", "www.site.fr").
  let fullStop = false;
  const endSentence = () => {
    const last = tokens[tokens.length - 1];
    if (last !== undefined && last !== BOUNDARY && last !== '?' && last !== '!') tokens.push(BOUNDARY);
  };
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (fullStop) {
      fullStop = false;
      if (!(code >= 48 && code <= 57) && !LETTER.test(char)) endSentence();
    }
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) word += char;
    else if (code >= 65 && code <= 90) word += String.fromCharCode(code + 32);
    else if (code === 46) {
      flush();
      fullStop = true;
    } else if (code === 59 || code === 10 || code === 13) {
      flush();
      endSentence();
    } else if (code === 39 || code === 0x2019 || code === 32 || code === 45 || code === 44) flush();
    else if (code === 63 || code === 33 || code === 64 || code === 61) {
      flush();
      tokens.push(char);
    } else if (code > 127 && LETTER.test(char)) word += foldLetter(char);
    else {
      flush();
      if (code > 127 && PICTOGRAPH.test(char)) tokens.push(char);
    }
  }
  flush();
  if (tokens[tokens.length - 1] === BOUNDARY) tokens.pop();
  return joinSpelledLetters(tokens);
}

/** "s t o p", "S. T. O. P." → "stop": three or more one-letter tokens in a row are one word spelled out. */
function joinSpelledLetters(tokens: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const single = (token: string | undefined) =>
    token !== undefined && token.length === 1 && token >= 'a' && token <= 'z';
  for (let i = 0; i <= tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (single(token) || (token === BOUNDARY && run.length > 0 && single(tokens[i + 1]))) {
      run.push(token);
      continue;
    }
    const letters = run.filter((t) => t !== BOUNDARY);
    if (letters.length >= 3) out.push(letters.join(''));
    else out.push(...run);
    run = [];
    if (token !== '') out.push(token);
  }
  return out;
}

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b' };
const LENGTHS = [1, 2, 3, 6, 12, 25] as const;

/**
 * The tokens the model reads: those of `tokenize`, with the guarded spans of rules.ts replaced, and
 * without the sentence boundaries, which only keep guards and cues from reading across two sentences
 * (as a feature of the model they cost more false opt-outs than they gained, docs/interpreter.md).
 */
export function modelTokens(
  tokens: readonly string[],
  line = ` ${tokens.join(' ')} `,
): { tokens: readonly string[]; line: string; guarded: string[] } {
  const guarded = guard(line);
  const read = guarded.guarded.length === 0 ? tokens : guarded.line.trim().split(' ');
  return {
    tokens: read.includes(BOUNDARY) ? read.filter((token) => token !== BOUNDARY) : read,
    line: guarded.line,
    guarded: guarded.guarded,
  };
}

/** Numbers are read by their shape ("14h" → "00h"), not their value. */
const shapeOf = (token: string) => (hasDigit(token) ? token.replace(/\d/g, '0') : token);

function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}

/** The features of one token: the word and its character n-grams, and for "st0p" or "stop2quit" their readings. */
function tokenFeatures(token: string): string[] {
  const features: string[] = [];
  const addWord = (word: string) => {
    features.push(`w ${word}`);
    if (word.length < 2) return;
    const padded = `<${word}>`;
    for (let n = MIN_GRAM; n <= MAX_GRAM; n++) {
      for (let i = 0; i + n <= padded.length; i++) features.push(`c ${padded.slice(i, i + n)}`);
    }
  };
  addWord(shapeOf(token));
  if (/\d/.test(token) && /[a-z]/.test(token)) {
    // "st0p", "5T0P": digits standing for letters; "stop2quit": words glued by a digit.
    addWord(token.replace(/\d/g, (digit) => LEET[digit] ?? digit));
    for (const part of token.split(/\d+/)) if (part.length >= 2) features.push(`w ${part}`);
  }
  return features;
}

/** Words that negate the (up to) three words after them: "pas intéressé", "not interested", "don't text". */
const NEGATES_NEXT = new Set([
  'pas', 'jamais', 'rien', 'aucun', 'aucune', 'ni', 'sans', 'ne', 'n', 'non', 'pu',
  'not', 'no', 'never', 'nothing', 't', 'dont', 'cant', 'wont', 'without', 'nah', 'nope',
]); // prettier-ignore
/** French negations that follow their verb, negating the two words before: "ça m'intéresse pas". */
const NEGATES_PREVIOUS = new Set(['pas', 'plus', 'jamais', 'rien', 'pu']);
const NEGATION_AFTER = 3;
const NEGATION_BEFORE = 2;
/** Cross-word character n-grams: windows of this size of the joined reply with a space inside. */
const SPAN_GRAM = 5;

/** The words under a negation (each once, in order of position), negators themselves excepted. */
function negatedWords(words: readonly string[]): string[] {
  const negated = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (NEGATES_NEXT.has(word)) {
      for (let j = i + 1; j <= i + NEGATION_AFTER && j < words.length; j++) {
        if (words[j] === '?' || words[j] === '!') break;
        negated.add(j);
      }
    }
    if (NEGATES_PREVIOUS.has(word)) for (let j = Math.max(0, i - NEGATION_BEFORE); j < i; j++) negated.add(j);
  }
  const out: string[] = [];
  for (const j of negated) if (!NEGATES_NEXT.has(words[j] as string)) out.push(words[j] as string);
  return out;
}

/** Whether the window of `line` at `i` straddles words: a space among its inner characters. */
function spansWords(line: string, i: number): boolean {
  for (let j = i + 1; j < i + SPAN_GRAM - 1; j++) if (line.charCodeAt(j) === 32) return true;
  return false;
}

/**
 * The reply-level features built from its words (shapes): triples, negated words, cross-word
 * character n-grams. `bucketsOf` hashes the same in place.
 */
function contextFeatures(words: readonly string[]): string[] {
  const features: string[] = [];
  for (let i = 0; i + 2 < words.length; i++) features.push(`t ${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  for (const word of negatedWords(words)) features.push(`x ${word}`);
  const line = ` ${words.join(' ')} `;
  for (let i = 0; i + SPAN_GRAM <= line.length; i++) {
    if (spansWords(line, i)) features.push(`y ${line.slice(i, i + SPAN_GRAM)}`);
  }
  return features;
}

/** The features of the whole reply: word pairs, first and last word, length, and `contextFeatures`. */
function replyFeatures(tokens: readonly string[]): string[] {
  const words = tokens.map(shapeOf);
  const features: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) features.push(`b ${words[i]} ${words[i + 1]}`);
  if (words.length > 0) features.push(`b <s> ${words[0]}`, `b ${words[words.length - 1]} </s>`);
  const length = LENGTHS.findIndex((limit) => words.length <= limit);
  features.push(`n ${length === -1 ? 'long' : LENGTHS[length]}`);
  features.push(...contextFeatures(words));
  return features;
}

/** The features of a reply's model tokens, as strings (for explanations); `bucketsOf` hashes the same. */
export function featureStrings(tokens: readonly string[]): string[] {
  return [...tokens.flatMap(tokenFeatures), ...replyFeatures(tokens)];
}

/** FNV-1a, 32 bits, folded into the bucket range. */
export function bucketOf(feature: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < feature.length; i++) {
    hash ^= feature.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & BUCKET_MASK;
}

/** The distinct buckets of a reply's features, in increasing order. */
export function featureBuckets(reply: string): Int32Array {
  return bucketsOf(modelTokens(tokenize(reply)).tokens);
}

/** Hashed features of the tokens seen lately: most words of a reply were in an earlier one. */
const tokenCache = new Map<string, Int32Array>();
const TOKEN_CACHE_SIZE = 20_000;

function tokenBuckets(token: string): Int32Array {
  let buckets = tokenCache.get(token);
  if (buckets === undefined) {
    buckets = Int32Array.from(tokenFeatures(token), bucketOf);
    if (tokenCache.size >= TOKEN_CACHE_SIZE) tokenCache.clear();
    tokenCache.set(token, buckets);
  }
  return buckets;
}

/** FNV-1a over `text`, continuing from `hash`: the hash of a feature built from parts, without building it. */
function fnv(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}
/** FNV-1a of a space then `word`, continuing from `hash`. */
const spaced = (hash: number, word: string) => fnv(Math.imul(hash ^ 32, 0x01000193), word);
const OFFSET = 0x811c9dc5;
const B_OFFSET = fnv(OFFSET, 'b ');
const FIRST_OFFSET = fnv(OFFSET, 'b <s> ');
const T_OFFSET = fnv(OFFSET, 't ');
const X_OFFSET = fnv(OFFSET, 'x ');
const Y_OFFSET = fnv(OFFSET, 'y ');
const bucket = (hash: number) => (hash >>> 0) & BUCKET_MASK;
/** The bucket of each length feature (`n 1` … `n long`), by index in LENGTHS (`long` last). */
const LENGTH_BUCKETS = [...LENGTHS, 'long'].map((length) => bucketOf(`n ${length}`));

/**
 * The distinct buckets of the features of model tokens (`featureStrings`, hashed), in increasing
 * order. Word features come from a per-token cache; the reply's own features (word pairs, first
 * and last word, length) are hashed part by part, as `bucketOf` would hash the joined string.
 */
export function bucketsOf(tokens: readonly string[]): Int32Array {
  const perToken = tokens.map(tokenBuckets);
  const words = tokens.map(shapeOf);
  const negated = negatedWords(words);
  const line = ` ${words.join(' ')} `;
  // Word pairs (n - 1), first and last word (2), the length (1), triples (n - 2), negated words,
  // cross-word n-grams (at most three around each space); an empty reply has only its length.
  let count = (words.length > 0 ? 2 * words.length : 1) + negated.length + 3 * (words.length + 1);
  for (const b of perToken) count += b.length;
  const buckets = new Int32Array(count);
  let at = 0;
  for (const b of perToken) {
    buckets.set(b, at);
    at += b.length;
  }
  for (let i = 0; i + 1 < words.length; i++) {
    buckets[at++] = bucket(spaced(fnv(B_OFFSET, words[i] as string), words[i + 1] as string));
  }
  if (words.length > 0) {
    buckets[at++] = bucket(fnv(FIRST_OFFSET, words[0] as string));
    buckets[at++] = bucket(fnv(fnv(B_OFFSET, words[words.length - 1] as string), ' </s>'));
  }
  const length = LENGTHS.findIndex((limit) => words.length <= limit);
  buckets[at++] = LENGTH_BUCKETS[length === -1 ? LENGTHS.length : length] as number;
  for (let i = 0; i + 2 < words.length; i++) {
    const pair = spaced(fnv(T_OFFSET, words[i] as string), words[i + 1] as string);
    buckets[at++] = bucket(spaced(pair, words[i + 2] as string));
  }
  for (const word of negated) buckets[at++] = bucket(fnv(X_OFFSET, word));
  for (let i = 0; i + SPAN_GRAM <= line.length; i++) {
    if (!spansWords(line, i)) continue;
    let hash = Y_OFFSET;
    for (let j = i; j < i + SPAN_GRAM; j++) hash = Math.imul(hash ^ line.charCodeAt(j), 0x01000193);
    buckets[at++] = bucket(hash);
  }
  const filled = buckets.subarray(0, at).sort();
  let distinct = 0;
  for (let i = 0; i < filled.length; i++) {
    if (i === 0 || filled[i] !== filled[i - 1]) filled[distinct++] = filled[i] as number;
  }
  return filled.subarray(0, distinct);
}
