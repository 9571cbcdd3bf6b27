/**
 * Look-alike characters folded before any rule or feature reads a reply, so that `ＳＴＯＰ`
 * (fullwidth), `ЅТОР` (Cyrillic), `𝗦𝗧𝗢𝗣` (mathematical bold) and `STO\u200BP` (zero-width space)
 * all read as `STOP`. Replies in plain French or English (the common case) are returned as they are.
 */

/** Characters outside Latin-1, general punctuation and the euro sign: the rare case, folded. */
const UNUSUAL = /[^\u0000-\u024F\u2010-\u2027\u2030-\u205E\u20AC]|[\u00AD\u200B-\u200F\u2028-\u202F\u2060-\u206F]/u;
/** Invisible format characters (zero-width space and joiners, soft hyphen, bidi marks, BOM). */
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u3164\uFFA0]/gu;

/** Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the ones seen in spam). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J',
  Ү: 'Y', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W', а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j',
  ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ӏ: 'l', Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N',
  Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X', ο: 'o', ν: 'v', ρ: 'p', τ: 't', υ: 'u', ι: 'i', κ: 'k',
}; // prettier-ignore
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

/**
 * The reply with compatibility forms folded (NFKC: fullwidth, mathematical letters, ligatures),
 * invisible characters removed and Cyrillic or Greek look-alikes replaced by Latin letters.
 * Linear in the length of the text.
 */
export function foldLookAlikes(text: string): string {
  if (!UNUSUAL.test(text)) return text;
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(LOOK_ALIKE, (letter) => LOOK_ALIKES[letter] as string);
}
