/**
 * The data of a reply, whatever its intent: when (fields of when.ts and `due_at`), e-mail, phone,
 * preferred channel, meeting mode and place, and the name of a signature. Field names are those
 * of the corpus README. Only the first `SCAN_LIMIT` characters are scanned: every pattern here is
 * linear, and the cap keeps the work of a hostile 40,000-character body small and fixed.
 */
import { findEmail, findPhones } from './contacts.js';
import type { Found } from './contacts.js';
import type { CountryCode } from 'libphonenumber-js';
import type { ReplyText } from './text.js';
import { findWhen, resolveDueAt } from './when.js';

export const SCAN_LIMIT = 2000;

const CHANNELS: readonly [RegExp, string][] = [
  [/ (?:par|by|via|en|sur|on) (?:e ?mail|mail|courriel|email)/, 'email'],
  [/ whats ?app /, 'whatsapp'],
  [/ (?:par|by|via|en) (?:sms|texto|text)/, 'sms'],
  [/ (?:par|by|au|via) (?:telephone|tel|phone) | (?:un |a )?appel plutot | (?:better|best|easier) to call /, 'phone'],
];
const VIDEO = / (?:visio\w*|video|teams|zoom|google meet|meet|skype|webex) /;
const IN_PERSON =
  / (?:passez|passer|venez|venir|au magasin|au bureau|au salon|au garage|au cabinet|a l agence|en personne|in person|sur place|stop by|come by|drop by|swing by|pop (?:in|round|by)|office|locaux|boutique|showroom|atelier) /;
/** "au salon", "à l'agence de Lyon", "at the shop": where a meeting takes place. */
const LOCATION =
  / (?:au|a la|a l|chez|at the|at our|at my|in) (salon|magasin|bureau|cabinet|garage|agence|restaurant|resto|boutique|atelier|showroom|office|shop|store|clinic|studio|gym|salle|boulangerie|pharmacie|hotel|stand)(?: (?:de|d|du|in|on) ([a-z]+))?/;
const CITY =
  / (?:a|in|sur|at) (paris|lyon|marseille|lille|bordeaux|nantes|toulouse|nice|strasbourg|rennes|montpellier|grenoble|geneve|lausanne|bruxelles|liege|namur|montreal|quebec|london|manchester|new york|boston|toronto) /;
/** A sign-off followed by a name at the very end: "Cordialement, Julie Martin", "Thanks - Rob". */
const SIGNATURE =
  /(?:cdt|cdlt|cordialement|bien (?:à|a) vous|bien cordialement|salutations|regards|best|merci(?: d.avance)?|thanks|thank you|cheers|bonne (?:journée|journee|soirée|soiree))[\s,.!–—-]+((?:M\.|Mme|Dr|Me|Maître)?\s?[A-ZÀ-Ý][a-zà-ÿ]+(?:[- ][A-ZÀ-Ý][a-zà-ÿ]+)?|[A-Z]\. ?[A-ZÀ-Ý][a-zà-ÿ]+)\s*(?:[-–—,(].{0,40})?[.!]?\s*$/i;
/** "Julie du salon", "— Marc": a short name closing the message after a dash. */
const DASH_NAME = /[–—-]\s*([A-ZÀ-Ý][a-zà-ÿ]+(?: [A-ZÀ-Ý][a-zà-ÿ]+)?)\s*$/;

/** The data found in a reply: `text` from text.ts of the (capped) reply. */
export function extract(text: ReplyText, receivedAt: Date, region: CountryCode = 'FR'): Record<string, unknown> {
  const { original: content, words } = text;
  const extracted: Record<string, unknown> = {};
  const phones = findPhones(content, region);
  const email = findEmail(content, text.aligned.replace(/\s+/g, ' '));
  const when = findWhen(blank(text.aligned, email === null ? phones : [...phones, email]));
  if (when !== null) {
    Object.assign(extracted, when.fields, { when_text: content.slice(when.start, when.end) });
    const dueAt = resolveDueAt(when.fields, receivedAt);
    if (dueAt !== null) extracted['due_at'] = dueAt;
  }
  if (email !== null) extracted['email'] = email.value;
  const phone = phones[0];
  if (phone !== undefined) extracted['phone'] = phone.value;
  const channel = CHANNELS.find(([pattern]) => pattern.test(words));
  if (channel !== undefined) extracted['channel_pref'] = channel[1];
  if (VIDEO.test(words)) extracted['mode'] = 'video';
  else if (IN_PERSON.test(words)) extracted['mode'] = 'in_person';
  const place = LOCATION.exec(words);
  const city = CITY.exec(words);
  if (place !== null) extracted['location'] = place[2] === undefined ? place[1] : `${place[1]} ${place[2]}`;
  else if (city !== null) extracted['location'] = city[1];
  const name = SIGNATURE.exec(content) ?? DASH_NAME.exec(content);
  if (name !== null) extracted['name'] = (name[1] as string).trim();
  return extracted;
}

/** Blanks spans (phones, e-mail) so that their digits are not read as times. */
function blank(aligned: string, spans: readonly Found[]): string {
  let out = aligned;
  for (const { start, end } of spans) {
    if (start >= 0) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  }
  return out;
}
