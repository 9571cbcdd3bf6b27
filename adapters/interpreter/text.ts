/**
 * The two forms of a reply that the rules read.
 *
 * `aligned` keeps one character per UTF-16 unit of the original, so a match in it is also a span
 * of the original (the verbatim `when_text`): lower case, accents removed, and every character that
 * is neither a letter, a digit nor one of `/ : ? @ * -` turned into a space.
 *
 * `words` is what intent rules match: the aligned form with `- / : .` as spaces, letters repeated
 * three times or more squeezed to one ("stopppp"), letters glued to digits split ("stop2quit"),
 * words spelled out in four letters or more joined ("s t o p"), single spaces, and a space at both ends so that every
 * word is surrounded by spaces.
 */
export interface ReplyText {
  readonly original: string;
  readonly aligned: string;
  readonly words: string;
}

const KEPT = new Set(['/', ':', '?', '@', '*', '-']);
const foldCache = new Map<string, string>();

function foldUnit(unit: string): string {
  const cached = foldCache.get(unit);
  if (cached !== undefined) return cached;
  let folded = unit
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  if (folded.length !== 1 || !(/[\p{L}\p{N}]/u.test(folded) || KEPT.has(folded))) folded = ' ';
  if (folded === 'œ') folded = 'o';
  foldCache.set(unit, folded);
  return folded;
}

/** Lower case and accents removed, one character for each UTF-16 unit of `text`. */
export function align(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // ASCII letters and digits are the common case: no lookup.
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) out += text[i];
    else if (code >= 65 && code <= 90) out += String.fromCharCode(code + 32);
    else out += foldUnit(text[i] as string);
  }
  return out;
}

export function readText(original: string): ReplyText {
  const aligned = align(original);
  // Each replacement is skipped when the text cannot match it (most replies): same result, less work.
  let words = /[-/:]/.test(aligned) ? aligned.replace(/[-/:]+/g, ' ') : aligned;
  if (hasTripleLetter(words)) words = words.replace(/([a-z])\1\1+/g, '$1');
  if (/\d/.test(words)) words = words.replace(/([a-z])(?=\d)|(\d)(?=[a-z])/g, '$1$2 ');
  if (words.includes('?')) words = words.replace(/\?+/g, ' ? ');
  words = words
    .replace(/\s+/g, ' ')
    .replace(/(?:^| )(?:[a-z] ){3,}[a-z](?= |$)/g, (letters) => ' ' + letters.replace(/ /g, ''))
    .trim();
  return { original, aligned, words: ` ${words} ` };
}

/** Whether a letter a-z appears three times in a row ("stooop"): most words have none. */
export function hasTripleLetter(text: string): boolean {
  for (let i = 2; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 97 && code <= 122 && code === text.charCodeAt(i - 1) && code === text.charCodeAt(i - 2)) return true;
  }
  return false;
}

/**
 * Damerau-Levenshtein distance between `a` and `b`, giving up (returning `limit + 1`) as soon as
 * it is sure to exceed `limit`. Short words only: it is for typos of keywords.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (previous2[j - 2] as number) + 1);
      }
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
