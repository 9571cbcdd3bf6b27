import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';

export interface Found {
  readonly value: string;
  /** Span in the original text (-1 when spelled out in words). */
  readonly start: number;
  readonly end: number;
}

/**
 * A run of digits with the separators people type: "06 12 34 56 78", "+33 (0)6…", "06.12…",
 * "(514) 555-0142", "07700 900123". Bounded repetition: linear in the length of the text.
 */
const PHONE_CANDIDATE = /(?:\+|\b00)?\(?\d[\d ().-]{6,22}\d/g;
const LOCAL_PART = /[\p{L}\p{N}._%+-]/u;
const DOMAIN = /[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/uy;
// "jean point dupont arobase gmail point com", "john dot smith at gmail dot com".
const SPOKEN_EMAIL =
  /\b([a-z0-9]+(?: (?:point|dot|tiret|dash|underscore) [a-z0-9]+){0,6}) (?:arobase|arrobase|arobas|at) ([a-z0-9-]+(?: (?:point|dot) [a-z0-9-]+){1,4})\b/;
/** At most this many candidates of each kind are examined: a reply holds one or two. */
const MAX_CANDIDATES = 8;

/** Where a number written without its country code most likely comes from, by the way it is grouped. */
function regionsFor(raw: string, context: string, home: CountryCode): CountryCode[] {
  const digits = raw.replace(/\D/g, '');
  const groups = raw
    .replace(/\(0\)/, '')
    .split(/[^\d]+/)
    .filter((group) => group !== '')
    .map((group) => group.length)
    .join('-');
  if (raw.startsWith('(') || groups === '3-3-4') return ['US'];
  if (digits.length === 11 && digits.startsWith('0')) return ['GB'];
  const swiss = /\bnatel\b/i.test(context) || (groups === '3-3-2-2' && digits.startsWith('07'));
  const belgian = /\bgsm\b/i.test(context) || (groups === '4-2-2-2' && digits.startsWith('04'));
  if (swiss) return ['CH', home];
  if (belgian) return ['BE', home];
  return [home];
}

/** Shapes that only one numbering plan writes: a number possible there is taken (test ranges included). */
const SHAPED: readonly CountryCode[] = ['US', 'GB'];

/**
 * Phone numbers written in the text, as E.164. A number with a country code (+…, 00…) is read
 * as written; one without is read in `home`'s numbering unless its grouping says otherwise (North
 * American "(514) 555-0142", British "07700 900123", Swiss "079 123 45 67", Belgian "0475 12 34 56").
 * libphonenumber-js decides what is a valid number, so "33700" or "STOP 36180" are not phones.
 */
export function findPhones(text: string, home: CountryCode = 'FR'): Found[] {
  const found: Found[] = [];
  if (!/\d/.test(text)) return found;
  let examined = 0;
  for (const match of text.matchAll(PHONE_CANDIDATE)) {
    if (++examined > MAX_CANDIDATES) break;
    const raw = match[0].trim().replace(/\(0\)/, '');
    const international = raw.startsWith('+') || raw.startsWith('00');
    const regions = international ? [home] : regionsFor(raw, text, home);
    const digits = international ? `+${raw.replace(/^00/, '').replace(/\D/g, '')}` : raw.replace(/\D/g, '');
    for (const region of regions) {
      const phone = parsePhoneNumberFromString(digits, region);
      if (phone?.isValid() || (phone?.isPossible() && SHAPED.includes(region) && regions.length === 1)) {
        found.push({ value: phone.number, start: match.index, end: match.index + match[0].length });
        break;
      }
    }
  }
  return found;
}

/**
 * The first e-mail address, written normally or spelled out; lower case. Each `@` is expanded to
 * its left and right by bounded steps (64 characters of local part, one domain match anchored at
 * the `@`), so the work is linear in the length of the text whatever it holds.
 */
export function findEmail(text: string, words: string): Found | null {
  let at = text.indexOf('@');
  for (let tries = 0; at !== -1 && tries < MAX_CANDIDATES; tries++) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_PART.test(text[start - 1] as string)) start--;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text.slice(0, at + 256));
    if (start < at && domain !== null) {
      const end = at + 1 + domain[0].length;
      const value = text.slice(start, end).replace(/\.+$/, '').replace(/^\.+/, '').toLowerCase();
      return { value, start, end };
    }
    at = text.indexOf('@', at + 1);
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
