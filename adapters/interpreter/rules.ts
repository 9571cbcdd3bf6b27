/**
 * What rules do better than a model trained on sentences: provider keywords said alone (STOP,
 * ARRET, START, HELP, AIDE... with a polite word or a typo), replies with no words (emoji,
 * punctuation), reactions relayed as text, and the negation guards, uses of stop-words that are
 * not a request to stop ("pas de STOP pour moi", "stop by", "arrêt de bus"), which are blanked
 * before the model reads a reply. Every pattern runs on the `line` form of a reply: its tokens
 * (see features.ts) joined by single spaces, with a space at both ends.
 */
import type { Intent, Language } from '../../core/intent.js';
import { editDistance } from './text.js';

const anyOf = (...parts: string[]) => new RegExp(parts.join('|'), 'g');

/** The footers of automatic messages: "Répondez STOP au 36111 pour ne plus recevoir nos offres", "SMS STOP au 36111". */
const FOOTERS = [
  ' (?:repondez|repondre|reply|text|texte|textez|txt|envoyez|envoie|envoyer|send|tapez|type)(?: sms)? (?:stop|arret|end)(?: (?:au|to|at) \\d{4,6})?(?: (?:au|to|pour|for|a|sms|afin de|afin d)(?: (?:ne plus recevoir|vous desinscrire|vous desabonner|te desabonner|unsubscribe|opt out|stop receiving|arreter)(?: (?:nos|ces|de|des|vos|our|these|texts|messages|offres|sms|textos|notifications|alerts|of|our alerts|from))*)?)? ',
  ' (?:pour|to) (?:ne plus recevoir|vous desinscrire|vous desabonner|unsubscribe|opt out|stop receiving|arreter ces notifications)(?: (?:nos|ces|de|des|vos|our|these|texts|messages|offres|sms|textos|notifications|alerts))* (?:repondez|repondre|reply|text|txt|envoyez|send|tapez) (?:stop|arret) ',
  ' (?:desabonnement|desinscription|opt out)(?: sms)? (?:repondre|repondez|envoyez|text|reply|txt) (?:stop|arret) ',
  ' (?:stop|arret) (?:sms )?(?:au|to|at) \\d{4,6} ',
  ' (?:stop|arret) pour (?:se|vous) (?:desabonner|desinscrire) | pour (?:se|vous) (?:desabonner|desinscrire) (?:stop|arret) ',
  ' (?:stop|arret|end) = (?:desinscription|desabonnement|desinscrire|desabonner|unsubscribe|unsub|opt out|optout|quit) ',
  ' sms (?:stop|arret) (?:au|to|at) \\d{4,6} ',
];
/** Read as a footer when a guarded span is one. */
const IS_FOOTER = new RegExp(`^(?:${FOOTERS.join('|')})$`);

/**
 * Stop-words used for something else: each span is replaced by `GUARD` before the model reads it
 * (by `FOOTER` when it is the footer of an automatic message).
 */
export const NOT_AN_OPT_OUT = anyOf(
  ' non stop ',
  ' (?:bus|tram|metro|pit|truck|rest) stop ',
  ' stop (?:by|in|over|round|at the|at my|at our|for (?:petrol|gas|coffee|lunch)) ',
  ' (?:arretez|arrete|arreter|arrete toi|arretez vous|arretes) (?:vous |toi )?(?:au|a l|a la|chez|devant|en passant|par) ',
  ' (?:a l |l |un |sans |mon |son |en )arret (?:de bus|de tram|maladie|de travail|cardiaque)? ?',
  ' arret (?:de |du |d )?(?:bus|tram|metro|travail|maladie|cardiaque|de jeu) ',
  ' (?:can t|cant|cannot|couldn t|won t|wont) stop ',
  ' (?:i |we )?(?:didn t|didnt|did not|never|don t|dont|do not) (?:say|said|ask|asked|mean|meant|want|wanna) (?:to |2 )?(?:stop|unsubscribe|opt out|be removed|be unsubscribed) ',
  ' (?:je |j )?(?:ne )?(?:veux|voulais|voulait|souhaite) pas (?:etre )?(?:retire|retiree|desinscrit|desinscrite|desabonne|desabonnee|me desinscrire|me desabonner|arreter) ',
  ' (?:don t|dont|do not|never|please don t|pls don t) (?:take|remove|delete|drop|unsubscribe) (?:me|us|my number)(?: off| out| from)? ',
  ' (?:not|never) (?:saying|asking) (?:stop|to stop|you to stop) ',
  ' (?:n |ne )(?:me |nous |m )?(?:retirez|retire|enlevez|enleve|supprimez|supprime|effacez|efface|desinscrivez|desabonnez|oubliez|rayez) (?:pas|surtout pas|jamais)(?: de (?:la|votre|vos|ta) (?:liste|fichier|contacts?|base))? ',
  ' (?:n |ne )(?:arretez|arrete|arretes|stoppez|stoppe) (?:pas|surtout pas|jamais)(?: de (?:m |me |nous )?(?:ecrire|envoyer|contacter|appeler|texter))? ',
  ' (?:pas de|no|not a|without|sans) stop (?:pour|for) (?:moi|me|nous|us) ',
  ' (?:pas besoin|pas la peine|inutile|no need) (?:d |de |to )(?:arreter|stopper|stop|me retirer|me desinscrire|unsubscribe|remove me)(?: de (?:la|votre|vos|ta) (?:liste|fichier|contacts?|base))? ',
  ' (?:envoye|mis|tape|ecrit|repondu|sent|texted|typed|replied|hit|pressed) stop (?:par erreur|by mistake|by accident|sans faire expres|accidentally) ',
  ' stop (?:par erreur|by mistake|by accident) ',
  ' (?:desabonne|desabonnee|desinscrit|desinscrite|unsubscribed|opted out) (?:par erreur|by mistake|by accident|sans faire expres|sans le vouloir|accidentally) ',
  // Taking back an opt-out: "annulez mon STOP", "undo my stop", "take me off the do-not-text list".
  ' (?:undo|cancel|annulez|annule|annuler|ignore|ignorez|oubliez|retire|retirez|supprimez|supprime|enlevez|enleve|remove|lift|desactivez|desactive|levez|leve) (?:my|mon|ma|le|la|the|ce|cette|that|votre) (?:stop|arret|unsubscribe|desabonnement|desinscription|opt out|optout|blocage) ',
  ' (?:(?:enlevez|enleve|retirez|retire|sortez|sors|take|get|remove) (?:moi|me|us|nous|my number|mon numero) )?(?:off|from|de) (?:the|your|la|votre|vos|ta) (?:blocked|do not text|do not contact|dnc|opt out|stop|liste? d opposition|liste? des desinscrits|liste? des desabonnes|liste noire|blacklist)(?: list)? ',
  ' un unsubscribe ',
  ' (?:reverse|undo) (?:my |the )?(?:opt out|optout|stop|unsubscribe) ',
  ' (?:never|don t|dont|do not) stop (?:texting|messaging|sending|writing|ringing) ',
  ' (?:don t|dont) stop (?:i m|im|i am|we re|just|please|pls) ',
  ' (?:pas question|hors de question|no way|no chance) (?:de |d |to |i ll |i d )?(?:me |m )?(?:desinscri\\w*|desabonn\\w*|unsubscribe|stop\\w*|arreter|retirer) ',
  ' (?:je |i m |i am )?(?:ne )?(?:vous )?(?:demande|dis|asking|telling)(?: you)? (?:pas|not) (?:d |de |to )?(?:arreter|stopper|stop|unsubscribe) ',
  ' (?:can|could|may) (?:i|we|my clients|they) (?:stop|cancel|quit|unsubscribe) (?:whenever|anytime|any time|at any time|later) ',
  ' (?:on peut|je peux|peut on|est ce qu on peut) (?:arreter|resilier|stopper|annuler) (?:quand|a tout moment|n importe quand) ',
  ' (?:n arrete|arrete) pas de (?:sonner|travailler|courir) ',
  ...FOOTERS,
);
/**
 * Words that ask to stop in most replies that use them. When the model reads something else in a
 * reply that still has one (after the guards), a person decides: a missed opt-out is the worst error.
 */
export const OPT_OUT_CUE = new RegExp(
  [
    ' (?:stop|stopp|stoppe|stoppez|stopper|arret|arrete|arretez|arreter|cesse|cessez) ',
    ' (?:desabonn|desinscri|unsubscri|unsub|opt out|optout|blacklist|bloctel|cnil|33700|spam|harcel|harass)\\w*',
    ' (?:supprim|effac|retir|enlev|oubli|perde|delete|remove|erase|lose)\\w* (?:moi|nous|mon|ma|mes|me|my|this|ce|de votre|from|le|it)',
    ' (?:plus|pas|no|any) (?:de |d )?(?:sms|messages?|textos?|texts?|appels?|calls?|contact) ',
    ' (?:ne|n) (?:me|m|nous|plus) (?:\\w+ )?(?:ecri|envoy|contact|appel|rappel|texto|text|sollicit|derang)\\w* (?:plus|jamais)',
    ' (?:don t|dont|dnt|do not|never|no) (?:ever )?(?:text|txt|message|msg|contact|call|email|write|mo)',
    ' (?:take|get) (?:me|us|my number|this number) (?:off|out)| (?:want|wanna) (?:off|out)',
    ' (?:ne|n) (?:appel|rappel|ecri|envoy|contact|text|relanc)\\w* (?:plus|jamais)| de plus (?:m |l |me |nous |les )?(?:appeler|ecrire|contacter|texter|relancer|deranger)',
    ' (?:leave me alone|laissez moi|lachez moi|lache moi|foutez moi|f off|piss off|go away|fuck off|shut up|ta gueule|fermez la|degage|embeter|n insistez|revenez jamais)',
    ' (?:revoke|withdraw|retire) (?:my )?(?:consent|consentement)| liste noire| black ?list| debranch| (?:raye|rayer|rayez) | (?:sur|dans|a) (?:la |votre |vos |ta )?listes? d opposition',
    ' en (?:a|ai) marre| marre d| gtfo | give it a rest| ca va faire la ',
    ' (?:further|plus aucune?) (?:correspondence|contact|messages?|sollicitations?|communications?)| refrain from| not wish to (?:receive|be)| ne plus (?:recevoir|etre)',
  ].join('|'),
);

/** What a guarded span becomes: a token of its own, which the model learns like a word. */
export const GUARD = ' notstop ';
/** What a guarded footer becomes: automatic messages are not read like people who say they do not stop. */
export const FOOTER = ' footer ';

/** Whole-message keywords of carriers, Twilio and Vonage, French and English, with common typos. */
const OPT_OUT_KEYWORDS = new Set([
  'stop', 'stopall', 'stpo', 'sotp', 'tsop', 'stoop', 'stopp', 'stoppe', 'sto', 'unsubscribe', 'unsub', 'unsuscribe',
  'cancel', 'end', 'quit', 'revoke', 'optout', 'opt out', 'arret', 'arrete', 'arreter', 'arretez', 'arrettez', 'aret',
  'fin', 'desabonner', 'desabonnez', 'desabonnement', 'desabo', 'desinscrire', 'desinscription', 'desinscrivez',
  'retrait', 'remove', 'stop all', 'stop 2 quit', 'stop2quit',
]); // prettier-ignore
const OPT_IN_KEYWORDS = new Set([
  'start',
  'unstop',
  'subscribe',
  'resubscribe',
  'restart',
  'opt in',
  'optin',
  'demarrer',
  'yes start',
]);
const HELP_KEYWORDS = new Set(['help', 'aide', 'info', 'infos', 'aidez moi', 'help me', 'sos']);
/** Yes and no said alone, as written in a hurry ("y", "yy", "wi", "nn"); "ok" only acknowledges. */
const YES = new Set([
  'y', 'yy', 'ya', 'yea', 'yeah', 'yep', 'yup', 'yes', 'yess', 'oui', 'ouii', 'ouai', 'ouais', 'wi', 'ui', 'voui',
]); // prettier-ignore
const NO = new Set(['n', 'nn', 'no', 'non', 'nan', 'nah', 'naw', 'nope', 'nop']);
/** Keywords long enough to be recognised with a typo or two. */
const FUZZY_OPT_OUT = [
  'unsubscribe',
  'desabonner',
  'desabonnez',
  'desabonnement',
  'desinscrire',
  'desinscription',
  'arretez',
];

/** Words that may surround a keyword without changing it ("STOP svp", "please stop", "STOP 36180", "STOP!!"). */
const FILLER = new Set([
  'please', 'pls', 'plz', 'svp', 'stp', 'merci', 'thanks', 'thank', 'thx', 'you', 'now', 'maintenant', 'tout', 'all',
  'i', 'je', 'ok', 'the', 'messages', 'sms', 'texts', 'me', 'moi', 'bye', 'ciao', 'immediately', 'immediatement',
  'tt', 'de', 'suite', '!', '?', '.', '=',
]); // prettier-ignore

const POSITIVE_EMOJI = new Set([
  '👍',
  '👌',
  '✅',
  '☑',
  '✔',
  '🙂',
  '😊',
  '😀',
  '😃',
  '👏',
  '🤝',
  '💪',
  '🔥',
  '🙌',
  '💯',
]);
/** The punctuation tokens (features.ts): a reply of only these has no words. */
const PUNCTUATION = new Set(['?', '!', '@', '=', '.']);
/** Emoji that mean "stop": read as an opt-out when they are the whole reply. */
const STOP_EMOJI = new Set(['🛑', '⛔', '🚫', '📵', '🔕']);
/** Emoji that may mean "no" or "stop": a person decides. */
const REFUSAL_EMOJI = new Set(['❌', '✋', '👎', '🖕', '🤬', '😡', '🙅', '✖']);

export const TAPBACK_LIKED = /^\s*(?:A aimé|A adoré|Liked|Loved|Emphasized|A mis en évidence)\s+[«“"]/;
export const TAPBACK_OTHER =
  /^\s*(?:N'a pas aimé|N’a pas aimé|Disliked|A ri de|Laughed at|Questioned|A mis en doute)\s+[«“"]/;

export interface RuleDecision {
  readonly intent: Intent;
  readonly confidence: number;
  /** Which rule decided, for explanations. */
  readonly rule: string;
  /** True when a person must confirm (a refusal emoji may mean stop). */
  readonly review: boolean;
  /** A relayed reaction ("A aimé « … »"): the words quoted are ours, so no data is read from them. */
  readonly reaction?: true;
}

/**
 * The intent when a rule can tell on its own, else null (the model decides). `tokens` are the
 * reply's tokens (features.ts); `original` is the reply as received.
 */
export function decideByRule(tokens: readonly string[], original: string): RuleDecision | null {
  if (TAPBACK_LIKED.test(original)) {
    // Liking a question of ours ("…, une démo ?") says yes; liking a greeting only acknowledges it.
    return /\?\s*[»”"]\s*$/.test(original)
      ? { intent: 'INTERESTED', confidence: 0.9, rule: 'reaction: liked', review: false, reaction: true }
      : { intent: 'UNKNOWN', confidence: 0.9, rule: 'reaction', review: false, reaction: true };
  }
  if (TAPBACK_OTHER.test(original))
    return { intent: 'UNKNOWN', confidence: 0.9, rule: 'reaction', review: false, reaction: true };
  const words = withoutPoliteness(tokens).filter((token) => !FILLER.has(token) && !/^\d+$/.test(token));
  const keyword = words.join(' ');
  if (words.length > 0 && (OPT_OUT_KEYWORDS.has(keyword) || words.every((word) => OPT_OUT_KEYWORDS.has(word)))) {
    return { intent: 'OPT_OUT', confidence: 0.99, rule: `keyword: ${keyword}`, review: false };
  }
  if (OPT_IN_KEYWORDS.has(keyword))
    return { intent: 'OPT_IN', confidence: 0.99, rule: `keyword: ${keyword}`, review: false };
  if (HELP_KEYWORDS.has(keyword))
    return { intent: 'HELP', confidence: 0.99, rule: `keyword: ${keyword}`, review: false };
  if (YES.has(keyword) && !tokens.includes('?'))
    return { intent: 'INTERESTED', confidence: 0.9, rule: `yes: ${keyword}`, review: false };
  if (NO.has(keyword) && !tokens.includes('?'))
    return { intent: 'NOT_INTERESTED', confidence: 0.9, rule: `no: ${keyword}`, review: false };
  if (words.length === 1 && keyword.length >= 6 && !/^re ?(?:abonn|inscri|subscri)/.test(keyword)) {
    const typo = FUZZY_OPT_OUT.find(
      (kw) => kw[0] === keyword[0] && editDistance(keyword, kw, 2) <= (kw.length >= 9 ? 2 : 1),
    );
    if (typo !== undefined)
      return { intent: 'OPT_OUT', confidence: 0.95, rule: `keyword with a typo: ${typo}`, review: false };
  }
  if (words.length === 1 && looksLikeStop(keyword)) {
    return { intent: 'OPT_OUT', confidence: 0.7, rule: `like STOP: ${keyword}`, review: true };
  }
  if (words.length === 1 && misspells(keyword, 'start')) {
    return { intent: 'OPT_IN', confidence: 0.7, rule: `like START: ${keyword}`, review: true };
  }
  if (words.length === 1 && misspells(keyword, 'help'))
    return { intent: 'HELP', confidence: 0.9, rule: `like HELP: ${keyword}`, review: false };
  if (!tokens.some((token) => /[a-z0-9]/.test(token))) return emojiOnly(tokens);
  return null;
}

/** Polite phrases of several words around a keyword: "Aide, s'il vous plaît", "STOP une fois" (Belgian). */
const POLITENESS = [
  ['s', 'il', 'vous', 'plait'],
  ['s', 'il', 'te', 'plait'],
  ['une', 'fois'],
];

/** The tokens without the polite phrases of `POLITENESS`. */
function withoutPoliteness(tokens: readonly string[]): readonly string[] {
  if (!tokens.includes('plait') && !tokens.includes('fois')) return tokens;
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const phrase = POLITENESS.find((words) => words.every((word, j) => tokens[i + j] === word));
    if (phrase === undefined) out.push(tokens[i] as string);
    else i += phrase.length - 1;
  }
  return out;
}

/** "strat", "satrt", "hlep", "helpp": a keyword with two neighbouring letters swapped, or one letter doubled. */
function misspells(word: string, keyword: string): boolean {
  for (let i = 0; i + 1 < word.length; i++) {
    const swapped = word.slice(0, i) + word.charAt(i + 1) + word.charAt(i) + word.slice(i + 2);
    if (word.charAt(i) !== word.charAt(i + 1) && swapped === keyword) return true;
    if (word.charAt(i) === word.charAt(i + 1) && word.slice(0, i) + word.slice(i + 1) === keyword) return true;
  }
  return false;
}

/** "stahp", "sopt", "stoo": one word close to STOP, which a person should read. */
function looksLikeStop(word: string): boolean {
  if (word.length < 3 || word.length > 6 || word === 'top' || word === 'step') return false;
  const anagram = [...word].sort().join('') === 'opst';
  return anagram || editDistance(word, 'stop', 2) <= (word.length <= 4 ? 1 : 2);
}

/** A reply with no letters or digits: emoji, punctuation, nothing. */
function emojiOnly(tokens: readonly string[]): RuleDecision {
  const emoji = tokens.filter((token) => !PUNCTUATION.has(token));
  if (emoji.length === 0)
    return {
      // "?" asks; "?!" and "!!" are surprise.
      intent: tokens.includes('?') && !tokens.includes('!') ? 'QUESTION' : 'UNKNOWN',
      confidence: 0.9,
      rule: 'no words',
      review: false,
    };
  if (emoji.some((e) => STOP_EMOJI.has(e)))
    return { intent: 'OPT_OUT', confidence: 0.9, rule: 'stop emoji', review: false };
  if (emoji.some((e) => REFUSAL_EMOJI.has(e)))
    return { intent: 'NOT_INTERESTED', confidence: 0.6, rule: 'refusal emoji', review: true };
  if (emoji.every((e) => POSITIVE_EMOJI.has(e)))
    return { intent: 'INTERESTED', confidence: 0.8, rule: 'approving emoji', review: false };
  return { intent: 'UNKNOWN', confidence: 0.9, rule: 'emoji only', review: false };
}

/** The reply with guarded spans replaced (see `NOT_AN_OPT_OUT`), and what was guarded. */
export function guard(line: string): { line: string; guarded: string[] } {
  const guarded: string[] = [];
  const out = line.replace(NOT_AN_OPT_OUT, (span) => {
    guarded.push(span.trim());
    return IS_FOOTER.test(span) ? FOOTER : GUARD;
  });
  return { line: guarded.length === 0 ? line : out, guarded };
}

const SMS_WORDS = / (?:sms|textos?|texts?|texting|messag\w*|ecri\w*|envoi\w*|msg|txt\w*|mail\w*) /;
const CALL_WORDS = / (?:appel\w*|rappel\w*|call\w*|telephon\w*|phone|tel) /;

/** What an opt-out stops: `sms`, `calls`, or `all` when it names both or neither. */
export function scopeOf(line: string): 'sms' | 'calls' | 'all' {
  const sms = SMS_WORDS.test(line);
  const calls = CALL_WORDS.test(line);
  return sms === calls ? 'all' : sms ? 'sms' : 'calls';
}

const ENGLISH_WORDS =
  / (?:the|you|your|me|my|i|im|is|are|this|please|pls|call|number|not|don|dont|what|who|how|yes|no|thanks|thank|thx|can|wrong|interested|tomorrow|today|unsubscribe|text|texting|already|have|and|at|we|it|off|sorry|here|take|list|lose|send|stop texting)(?= )/g;
const FRENCH_WORDS =
  / (?:je|j|vous|tu|moi|de|le|la|les|des|du|pas|merci|svp|stp|oui|non|rappel\w*|c|est|mon|ma|mes|et|ou|un|une|au|ne|plus|numero|demain|bonjour|arret\w*|ca|qui|quel|quelle|pour|avec|dans|interess\w*|a|en|il|on|nous|votre|vos)(?= )/g;

/** French unless the words are more English than French (a bare "STOP" is answered in French). */
export function languageOf(line: string): Language {
  const english = line.match(ENGLISH_WORDS)?.length ?? 0;
  const french = line.match(FRENCH_WORDS)?.length ?? 0;
  return english > french ? 'en' : 'fr';
}
