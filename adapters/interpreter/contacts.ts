import { parsePhoneNumberFromString } from 'libphonenumber-js';

export interface Found {
  readonly value: string;
  /** Span in the original text. */
  readonly start: number;
  readonly end: number;
}

// A run of digits with the separators people type ("06 12 34 56 78", "+33 (0)6…", "06.12…").
const PHONE_CANDIDATE = /(?:\+|\b00)?\d(?:[\s.\-/]?(?:\(0\))?[\s.\-/]?\d){7,14}\b/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
// "jean point dupont arobase gmail point com", "john dot smith at gmail dot com".
const SPOKEN_EMAIL =
  /\b([a-z0-9]+(?: (?:point|dot|tiret|dash|underscore) [a-z0-9]+)*) (?:arobase|arrobase|arobas|at) ([a-z0-9-]+(?: (?:point|dot) [a-z0-9-]+)+)\b/;

/**
 * Phone numbers written in the text, as E.164 (French numbering unless the number says otherwise).
 * libphonenumber-js decides what is a valid number, so "33700" or "STOP 36180" are not phones.
 */
export function findPhones(text: string): Found[] {
  const found: Found[] = [];
  if (!/\d/.test(text)) return found;
  for (const match of text.matchAll(PHONE_CANDIDATE)) {
    const phone = parsePhoneNumberFromString(match[0].replace('(0)', ''), 'FR');
    if (phone?.isValid()) found.push({ value: phone.number, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/** The first e-mail address, written normally or spelled out; lower case. */
export function findEmail(text: string, words: string): Found | null {
  const written = text.includes('@') ? EMAIL.exec(text) : null;
  if (written !== null) {
    const value = written[0].replace(/\.+$/, '').toLowerCase();
    return { value, start: written.index, end: written.index + written[0].length };
  }
  const spoken = /arobas|arrobas| at /.test(words) ? SPOKEN_EMAIL.exec(words) : null;
  if (spoken === null) return null;
  const join = (part: string) =>
    part
      .replace(/ (?:point|dot) /g, '.')
      .replace(/ (?:tiret|dash) /g, '-')
      .replace(/ underscore /g, '_');
  return { value: `${join(spoken[1] as string)}@${join(spoken[2] as string)}`, start: -1, end: -1 };
}
