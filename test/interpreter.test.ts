import t from 'tap';
import { LexiconInterpreter } from '../adapters/interpreter/lexicon-interpreter.js';
import { editDistance, readText } from '../adapters/interpreter/text.js';
import { resolveDueAt } from '../adapters/interpreter/when.js';
import { CorpusError, evaluate, formatEvaluation, parseCorpus } from '../adapters/interpreter/evaluation.js';

const interpreter = new LexiconInterpreter();
// Wednesday 25 November 2026, 10:00 in Paris (UTC+1).
const AT = new Date('2026-11-25T09:00:00Z');
const read = (text: string, at = AT) => interpreter.interpret(text, at);

t.test('opt-outs read in a sentence, with typos, accents or not, any case', async (t) => {
  for (const text of [
    'Stop',
    'STOP svp',
    'arrêtez de m’écrire',
    "ne m'envoyez plus de SMS",
    'supprimez mon numéro',
    'désinscription',
    'je vais saisir la CNIL',
    'unsubscribe me',
    'stpo',
    'arret',
    'ARRETEZ',
    'S T O P',
    'stop2quit',
    'Stopppp !!',
    'desinscripton',
    'unsubscirbe',
    'merci de ne plus me solliciter',
    'Pouvez-vous me rayer de votre fichier ?',
    'stop, wrong number',
    'Annulez mon abonnement',
    'opt me out',
    'get me off this list',
    'fin des sms svp',
  ]) {
    // prettier-ignore
    t.equal(read(text).intent, 'OPT_OUT', text);
  }
  for (const text of [
    'non-stop',
    "j'attends à l'arrêt de bus",
    'stp',
    'Stp appelez-moi',
    'arrêt maladie jusqu’à lundi',
  ]) {
    t.not(read(text).intent, 'OPT_OUT', `not an opt-out: ${text}`);
  }
});

t.test('opt-out scope and the sender language', async (t) => {
  t.equal(read('plus de SMS svp').extracted['scope'], 'sms');
  t.equal(read("ne m'appelez plus").extracted['scope'], 'calls');
  t.equal(read('arrêtez vos appels').extracted['scope'], 'calls');
  t.equal(read('arrêtez les appels et les messages').extracted['scope'], 'all');
  t.equal(read('STOP').extracted['scope'], 'all');
  t.equal(read('desabonnement').extracted['scope'], 'all', 'a typo of a keyword is an opt-out of everything');
  t.equal(read('STOP').language, 'fr', 'French unless the words say otherwise');
  t.equal(read('Please stop texting me').language, 'en');
  t.equal(read('Oui je suis intéressé').extracted['scope'], undefined, 'scope only on opt-outs');
});

t.test('every intent, with its secondary intents', async (t) => {
  const cases: [string, string, string[]?][] = [
    ['START', 'OPT_IN'],
    ['HELP', 'HELP'],
    ['comment gérer mes préférences SMS', 'HELP'],
    ['Oui, envoyez-moi la plaquette', 'INTERESTED'],
    ['Non merci', 'NOT_INTERESTED'],
    ['Rappelez-moi demain, je suis intéressé', 'CALLBACK_REQUEST', ['INTERESTED']],
    ['rdv jeudi 10h', 'MEETING'],
    ['Combien ça coûte ?', 'QUESTION'],
    ['Mauvais numéro', 'WRONG_NUMBER'],
    ['Bien reçu', 'UNKNOWN'],
    ['', 'UNKNOWN'],
    ['Pas intéressé, ne m’écrivez plus', 'OPT_OUT', ['NOT_INTERESTED']],
  ];
  for (const [text, intent, secondary = []] of cases) {
    const result = read(text);
    t.equal(result.intent, intent, text);
    t.same(result.secondary_intents, secondary, `${text}: secondary`);
    t.ok(result.confidence > 0 && result.confidence <= 1, `${text}: confidence in ]0, 1]`);
  }
  t.equal(read('Bien reçu').confidence, 0.3, 'nothing recognised: low confidence');
});

t.test('reactions relayed as text, emoji, auto-replies', async (t) => {
  t.equal(read('A aimé « Bonjour, une démo ? »').intent, 'INTERESTED');
  t.equal(read('Disliked “Would you like a demo?”').intent, 'UNKNOWN', 'our quoted words are not theirs');
  t.equal(read('👎').intent, 'NOT_INTERESTED');
  t.equal(read('👍 rappelez-moi').intent, 'CALLBACK_REQUEST', 'an emoji is weaker than words');
  t.equal(read('Out of office until Monday').intent, 'UNKNOWN');
});

t.test('e-mail, phone, channel, mode, name', async (t) => {
  t.same(read('mon mail: Jean.Dupont@Example.fr.').extracted['email'], 'jean.dupont@example.fr');
  t.same(read('john dot smith at gmail dot com').extracted['email'], 'john.smith@gmail.com');
  t.same(read('marie tiret claire underscore b arobase free point fr').extracted['email'], 'marie-claire_b@free.fr');
  t.same(read('appelez le +33 (0)6 12 34 56 78').extracted['phone'], '+33612345678');
  t.same(read('call me on +1 415 555 2671').extracted['phone'], '+14155552671');
  t.equal(read('STOP 36180').extracted['phone'], undefined, 'a short code is not a phone');
  t.equal(read('envoyez par mail svp').extracted['channel_pref'], 'email');
  t.equal(read('plutôt par WhatsApp').extracted['channel_pref'], 'whatsapp');
  t.equal(read('répondez par sms').extracted['channel_pref'], 'sms');
  t.equal(read('mieux au téléphone ').extracted['channel_pref'], 'phone');
  t.equal(read('on fait une visio mardi').extracted['mode'], 'video');
  t.equal(read('Intéressé. Cordialement, Anne-Marie').extracted['name'], 'Anne-Marie');
});

t.test('times and days, as the corpus writes them', async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    [
      'rappelez-moi demain à 10h',
      { when_text: 'demain à 10h', day: 'tomorrow', time: '10:00', due_at: '2026-11-26T10:00:00+01:00' },
    ],
    [
      'mardi prochain entre 14h et 16h',
      { day: 'tuesday', week: 'next', time_from: '14:00', time_to: '16:00', due_at: '2026-12-01T14:00:00+01:00' },
    ],
    ['jeudi aprem', { day: 'thursday', period: 'afternoon', due_at: '2026-11-26T14:00:00+01:00' }],
    ['dans 3 mois', { offset: 'P3M', due_at: '2027-02-25T09:00:00+01:00' }],
    ['dans 2 ans', { offset: 'P2Y', due_at: '2028-11-25T09:00:00+01:00' }],
    ['dans une demi heure', {}],
    ['in half an hour', { offset: 'PT30M', due_at: '2026-11-25T10:30:00+01:00' }],
    ['dans 2 semaines', { offset: 'P2W', due_at: '2026-12-09T10:00:00+01:00' }],
    ['ds 1h', { offset: 'PT1H', due_at: '2026-11-25T11:00:00+01:00' }],
    ['vers 9h30', { time: '09:30', approx: true, due_at: '2026-11-26T09:30:00+01:00' }],
    ['avant 11h', { time_to: '11:00' }],
    ['at 3pm today', { time: '15:00', day: 'today', due_at: '2026-11-25T15:00:00+01:00' }],
    ['12am', { time: '00:00' }],
    ['11:45', { time: '11:45', due_at: '2026-11-25T11:45:00+01:00' }],
    ['le 3 avril à 11h', { date: '--04-03', due_at: '2027-04-03T11:00:00+02:00' }],
    ['le 30/11', { date: '--11-30', due_at: '2026-11-30T09:00:00+01:00' }],
    ['April 3rd', { date: '--04-03' }],
    ['le 2', { day_of_month: 2, due_at: '2026-12-02T09:00:00+01:00' }],
    ['le 28 à 14h', { day_of_month: 28, time: '14:00', due_at: '2026-11-28T14:00:00+01:00' }],
    ['ce matin', { day: 'today', period: 'morning' }],
    ['this evening', { day: 'today', period: 'evening' }],
    ['le soir', { period: 'evening' }],
    ['this afternoon', { day: 'today', period: 'afternoon' }],
    ['demain, sinon jeudi à 10h', { when_text: 'demain', day: 'tomorrow', time: '10:00' }],
    ['ce soir', { period: 'evening', due_at: '2026-11-25T18:00:00+01:00' }],
    ['midi', { period: 'lunch', due_at: '2026-11-25T12:00:00+01:00' }],
    ['la semaine pro', { week: 'next', due_at: '2026-11-30T09:00:00+01:00' }],
    ['cette semaine', { week: 'this' }],
    ["aujourd'hui", { day: 'today', due_at: '2026-11-25T09:00:00+01:00' }],
    ['mercredi', { day: 'wednesday', due_at: '2026-12-02T09:00:00+01:00' }],
    ['dispo sauf lundi et mardi', { exclude_days: ['monday', 'tuesday'] }],
    ['8h', { time: '08:00', due_at: '2026-11-26T08:00:00+01:00' }],
    ['25h', {}],
    ['le 45', {}],
    ['le 31/02', { date: '--02-31' }],
    ['le 40/13', {}],
  ];
  for (const [text, expected] of cases) t.match(read(text).extracted, expected, text);
  t.notOk('when_text' in read('25h').extracted, 'no time, no when_text');
  t.same(read('lundi 10h ou mardi 15h').extracted['options'], [
    { day: 'monday', time: '10:00' },
    { day: 'tuesday', time: '15:00' },
  ]);
  t.match(read('je confirme le rdv de demain 9h').extracted, { action: 'confirm', when_text: 'demain 9h' });
  t.match(read('on décale à vendredi ?').extracted, { action: 'reschedule', day: 'friday', when_text: 'vendredi' });
  t.match(read("pas dispo avant lundi, je suis intéressé").extracted, { constraint: 'not_before', when_text: 'pas dispo avant lundi' }); // prettier-ignore
});

t.test('due_at across daylight saving time and with nothing to resolve', async (t) => {
  const summer = new Date('2026-07-01T08:00:00Z'); // 10:00 in Paris, UTC+2
  t.equal(resolveDueAt({ day: 'tomorrow', time: '10:00' }, summer), '2026-07-02T10:00:00+02:00');
  t.equal(resolveDueAt({ offset: 'PT10M' }, summer), '2026-07-01T10:10:00+02:00');
  t.equal(resolveDueAt({ day: 'day_after_tomorrow', period: 'morning' }, AT), '2026-11-27T09:00:00+01:00');
  t.equal(resolveDueAt({ options: [{ day: 'monday', time: '10:00' }] }, AT), '2026-11-30T10:00:00+01:00');
  t.equal(resolveDueAt({ exclude_days: ['monday'] }, AT), null);
  t.equal(resolveDueAt({ offset: 'P2D' }, AT), '2026-11-27T10:00:00+01:00');
  t.equal(
    resolveDueAt({ date: '--03-12', time: '15:00' }, AT),
    '2027-03-12T15:00:00+01:00',
    'a past date is next year',
  );
  t.equal(resolveDueAt({ date: '--11-25' }, AT), '2026-11-25T09:00:00+01:00', 'today is not past');
});

t.test('text forms and edit distance', async (t) => {
  const text = readText('Arrêtez-moi ÇA, s t o p… STOP2quit');
  t.equal(text.aligned.length, text.original.length, 'one character per original character');
  t.equal(text.words, ' arretez moi ca stop stop 2 quit ');
  t.equal(readText('Œuvre').aligned, 'ouvre');
  t.equal(editDistance('stpo', 'stop', 1), 1, 'a transposition costs one');
  t.equal(editDistance('desinscription', 'stop', 2), 3, 'far apart: gives up past the limit');
  t.equal(editDistance('abcdef', 'uvwxyz', 2), 3, 'same length, nothing in common');
});

t.test('corpus files: format errors are named', async (t) => {
  const header = 'id\ttext\tintent\textracted\tsource\tnote\tlang\n';
  t.throws(() => parseCorpus('id\ttext\n1\tStop\n'), new CorpusError('the header has no "intent" column'));
  t.throws(() => parseCorpus(`${header}1\tStop\tSTOPPED\t\n`), new CorpusError('line 2: unknown intent "STOPPED"'));
  t.throws(() => parseCorpus(`${header}1\tStop\tOPT_OUT\t{oops\n`), new CorpusError('line 2: "extracted" is not JSON'));
  const rows = parseCorpus(`\uFEFF${header}1\t Stop \tOPT_OUT\t\r\n2\tCall me at 5\tCALLBACK_REQUEST\t{"time":"17:00"}\n\n3\tarret\tOPT_OUT\n`); // prettier-ignore
  t.same(
    rows.map((row) => row.text),
    [' Stop ', 'Call me at 5', 'arret'],
    'spaces kept, CRLF, blank lines, short rows',
  );
  t.throws(() => parseCorpus(`${header}3\n`), new CorpusError('line 2: unknown intent ""'), 'a short row');
  const e = evaluate(rows, interpreter, AT);
  t.equal(e.accuracy, 1);
  t.equal(e.perIntent.HELP.precision, 1, 'no prediction, no support: 1 by convention');
  t.match(formatEvaluation(e), /accuracy: 100\.0 %/);
  t.notMatch(formatEvaluation(e), /misses:/, 'no misses section when nothing is missed');
  const wrong = evaluate([{ id: '9', text: 'Stop', intent: 'HELP', extracted: { phone: '+33612345678', time: '09:00' } }], interpreter, AT); // prettier-ignore
  t.equal(wrong.falseOptOuts, 1);
  t.match(formatEvaluation(wrong), /misses:\n {2}9 {2}"Stop" {2}expected HELP, got OPT_OUT\n {2}9 {2}"Stop" {2}expected phone="\+33612345678", got phone=nothing\n {2}9 {2}"Stop" {2}expected time="09:00", got time=nothing\n$/); // prettier-ignore
});
