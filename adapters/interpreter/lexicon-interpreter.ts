import type { Intent, Interpretation, Language } from '../../core/intent.js';
import type { ResponseInterpreter } from '../../core/ports/response-interpreter.js';
import { findEmail, findPhones } from './contacts.js';
import type { Found } from './contacts.js';
import * as L from './lexicon.js';
import { editDistance, readText } from './text.js';
import { findWhen, resolveDueAt } from './when.js';

/** Intents in the order they win when a message says several things: an opt-out always wins. */
const PRIORITY: readonly Intent[] = [
  'OPT_OUT',
  'OPT_IN',
  'HELP',
  'WRONG_NUMBER',
  'CALLBACK_REQUEST',
  'NOT_INTERESTED',
  'UNKNOWN', // an auto-reply: nobody has answered yet
  'MEETING',
  'QUESTION',
  'INTERESTED',
];

/** Below this confidence a signal only wins when nothing clearer was said. */
const WEAK = 0.7;
const SLOT_KEYS = ['day', 'date', 'time', 'time_from', 'time_to', 'period', 'day_of_month', 'options', 'week'];
const CHANNELS: readonly [RegExp, string][] = [
  [/ (?:par|by|via|en) (?:e ?mail|mail|courriel)/, 'email'],
  [/ whats ?app /, 'whatsapp'],
  [/ (?:par|by|via) (?:sms|texto|text)/, 'sms'],
  [/ (?:par|by|au|via) (?:telephone|tel|phone) /, 'phone'],
];
const VIDEO = / (?:visio\w*|video|teams|zoom|google meet|skype) /;
const IN_PERSON = / (?:passez|passer|venez|au magasin|au bureau|a l agence|en personne|in person|sur place|stop by|come by|drop by|swing by|office|locaux|boutique|showroom) /; // prettier-ignore
const SIGNATURE =
  /(?:cdt|cordialement|bien à vous|bien a vous|regards|best|merci d'avance|merci d’avance|thanks)[\s,.!]+([A-ZÀ-Ý][a-zà-ÿ]+(?:[- ][A-ZÀ-Ý][a-zà-ÿ]+)?)\s*[.!]?\s*$/i;

/**
 * Reads French and English replies with lexicons, negation and typo handling: deterministic,
 * in-process, a few microseconds a message. Opt-out rules are read first and on their own, so
 * that nothing else in a message can hide a request to stop.
 */
export class LexiconInterpreter implements ResponseInterpreter {
  interpret(content: string, receivedAt: Date): Interpretation {
    const text = readText(content);
    const words = text.words.replace(L.NOT_A_STOP, ' _ ');
    const language = languageOf(text.words);
    const signals = new Map<Intent, number>();
    const signal = (intent: Intent, confidence: number) => {
      if (!signals.has(intent)) signals.set(intent, confidence);
    };
    const extracted: Record<string, unknown> = {};

    const tapback = L.TAPBACK_LIKED.test(content) ? 'liked' : L.TAPBACK_OTHER.test(content) ? 'other' : null;
    if (tapback !== null) {
      // A reaction to our own message, relayed as text: the quoted words are ours, not theirs.
      if (tapback === 'liked') signal('INTERESTED', 0.6);
      return result(signals, language, extracted);
    }

    const keyword = keywordOf(words);
    const optOut = readOptOut(words, keyword);
    if (optOut !== null) {
      signal('OPT_OUT', optOut.confidence);
      extracted['scope'] = optOut.scope;
    }
    if (L.OPT_IN_KEYWORDS.has(keyword)) signal('OPT_IN', 0.99);
    if (L.OPT_IN.test(text.words)) signal('OPT_IN', 0.85);
    if (L.HELP_KEYWORDS.has(keyword)) signal('HELP', 0.95);
    if (L.HELP.test(words)) signal('HELP', 0.8);
    if (L.WRONG_NUMBER.test(words) || L.NOT_THAT_PERSON.test(content)) signal('WRONG_NUMBER', 0.85);
    if (L.CALLBACK.test(words)) signal('CALLBACK_REQUEST', 0.85);
    const refusal = L.NOT_INTERESTED.exec(words);
    if (refusal !== null) signal('NOT_INTERESTED', 0.85);
    if (L.NOT_INTERESTED_KEYWORDS.has(words.trim())) signal('NOT_INTERESTED', 0.8);
    if (L.AUTO_REPLY.test(words)) signal('UNKNOWN', 0.7);

    const phones = findPhones(content);
    const email = findEmail(content, text.aligned.replace(/\s+/g, ' '));
    const when = findWhen(blank(text.aligned, email === null ? phones : [...phones, email]));
    if (when !== null) {
      Object.assign(extracted, when.fields, { when_text: content.slice(when.start, when.end) });
      const dueAt = resolveDueAt(when.fields, receivedAt);
      if (dueAt !== null) extracted['due_at'] = dueAt;
    }
    const slot =
      when !== null && when.fields['constraint'] === undefined && SLOT_KEYS.some((key) => key in when.fields);
    const unavailable = L.UNAVAILABLE.test(words);
    if (L.MEETING_STRONG.test(text.words) && !unavailable) signal('MEETING', 0.85);
    if (slot && L.MEETING_WITH_SLOT.test(words) && !unavailable) signal('MEETING', 0.8);
    if (L.QUESTION.test(words)) signal('QUESTION', 0.75);
    // "pas intéressé" is a refusal, not interest: the words of a refusal are not read again.
    if (L.INTERESTED.test(refusal === null ? words : words.replace(refusal[0], ' _ '))) signal('INTERESTED', 0.8);
    if (email !== null) {
      extracted['email'] = email.value;
      signal('INTERESTED', 0.7);
    }
    if (L.POSITIVE_EMOJI.test(content)) signal('INTERESTED', 0.6);
    const phone = phones[0];
    if (phone !== undefined) {
      extracted['phone'] = phone.value;
      signal('CALLBACK_REQUEST', 0.6);
    }
    // A slot alone ("le 15 à 9h", "jeudi 16h30") proposes a meeting.
    if (slot && signals.size === 0) signal('MEETING', 0.7);
    if (L.NEGATIVE_EMOJI.test(content)) signal('NOT_INTERESTED', 0.6);

    for (const [pattern, channel] of CHANNELS) {
      if (pattern.test(words)) {
        extracted['channel_pref'] = channel;
        break;
      }
    }
    if (VIDEO.test(words)) extracted['mode'] = 'video';
    else if (IN_PERSON.test(words)) extracted['mode'] = 'in_person';
    const name = SIGNATURE.exec(content);
    if (name !== null) extracted['name'] = name[1];
    return result(signals, language, extracted);
  }
}

function result(signals: Map<Intent, number>, language: Language, extracted: Record<string, unknown>): Interpretation {
  // Clear signals in priority order, then weak ones (an emoji, a bare phone number) in theirs.
  const weak = (intent: Intent) => ((signals.get(intent) as number) < WEAK ? 1 : 0);
  const found = PRIORITY.filter((intent) => signals.has(intent)).sort((a, b) => weak(a) - weak(b));
  const intent = found[0] ?? 'UNKNOWN';
  if (intent !== 'OPT_OUT') delete extracted['scope'];
  return {
    intent,
    confidence: signals.get(intent) ?? 0.3,
    language,
    extracted,
    secondary_intents: found.slice(1).filter((other) => other !== 'UNKNOWN'),
  };
}

/** The message stripped of polite words and numbers: what is left when it is a bare keyword. */
function keywordOf(words: string): string {
  return words
    .trim()
    .split(' ')
    .filter((word) => !L.FILLER.has(word) && !/^\d+$/.test(word) && word !== '?' && word !== '_')
    .join(' ');
}

function readOptOut(words: string, keyword: string): { confidence: number; scope: string } | null {
  const tokens = keyword.split(' ');
  if (L.OPT_OUT_KEYWORDS.has(keyword) || (keyword !== '' && tokens.every((token) => L.OPT_OUT_KEYWORDS.has(token)))) {
    return { confidence: 0.99, scope: scopeOf(words, undefined) };
  }
  const phrase = L.OPT_OUT_PHRASES.find(({ pattern }) => pattern.test(words));
  if (phrase !== undefined) return { confidence: 0.9, scope: scopeOf(words, phrase.scope) };
  const typo = words.split(' ').some((token) => token.length >= 6 && !L.OPT_IN_WORD.test(token) && L.FUZZY_KEYWORDS.some((kw) => kw[0] === token[0] && editDistance(token, kw, kw.length >= 9 ? 2 : 1) <= (kw.length >= 9 ? 2 : 1))); // prettier-ignore
  return typo ? { confidence: 0.8, scope: scopeOf(words, undefined) } : null;
}

function scopeOf(words: string, said: 'sms' | 'calls' | undefined): string {
  if (said !== undefined) return said;
  const sms = L.SMS_WORDS.test(words);
  const calls = L.CALL_WORDS.test(words);
  return sms === calls ? 'all' : sms ? 'sms' : 'calls';
}

function languageOf(words: string): Language {
  const english = words.match(L.ENGLISH_WORDS)?.length ?? 0;
  const french = words.match(L.FRENCH_WORDS)?.length ?? 0;
  return english > french ? 'en' : 'fr';
}

/** Blanks spans (phones, e-mail) so that their digits are not read as times. */
function blank(aligned: string, spans: readonly Found[]): string {
  let out = aligned;
  for (const { start, end } of spans) {
    if (start >= 0) out = out.slice(0, start) + ' '.repeat(end - start) + out.slice(end);
  }
  return out;
}
