import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  ClassifierInterpreter,
  DEFAULT_POLICY,
  loadBundledModel,
} from '../adapters/interpreter/classifier-interpreter.js';
import { bucketOf, bucketsOf, featureStrings, modelTokens, tokenize } from '../adapters/interpreter/features.js';
import { findPhones } from '../adapters/interpreter/contacts.js';
import { LinearModel, ModelError } from '../adapters/interpreter/linear-model.js';
import { decideByRule, OPT_OUT_CUE } from '../adapters/interpreter/rules.js';
import { foldLookAlikes } from '../adapters/interpreter/normalize.js';
import { editDistance, readText } from '../adapters/interpreter/text.js';
import { resolveDueAt } from '../adapters/interpreter/when.js';
import { CorpusError, evaluate, formatEvaluation, parseCorpus } from '../adapters/interpreter/evaluation.js';
import { INTENTS } from '../core/intent.js';
import type { Intent } from '../core/intent.js';

const model = loadBundledModel();
const interpreter = new ClassifierInterpreter(model);
// Wednesday 25 November 2026, 10:00 in Paris (UTC+1).
const AT = new Date('2026-11-25T09:00:00Z');
const read = (text: string, at = AT) => interpreter.interpret(text, at);
/** The spans the negation guards took out of a reply before the model read it. */
const guarded = (text: string) => modelTokens(tokenize(text)).guarded;

/** A model whose probabilities are `p` for every reply: no feature has a weight, the bias decides. */
function fixedModel(p: Partial<Record<Intent, number>>, classes: readonly string[] = INTENTS): LinearModel {
  const bias = Float64Array.from(classes, (intent) => Math.log(p[intent as Intent] ?? 1e-9));
  return new LinearModel(classes, bias, new Int32Array(0), new Float32Array(0), 1);
}

t.test('provider keywords said alone, with a polite word, a typo or spaced letters: decided by rule', async (t) => {
  for (const text of [
    'STOP',
    'Stop svp',
    'stop!!',
    'S T O P',
    's.t.o.p',
    'ARRET',
    'arrêtez',
    'unsubscribe please',
    'STOP 36180',
    'désinscription',
    'desinscripton',
    'stop2quit',
    'Stopppp',
  ]) {
    // prettier-ignore
    const result = interpreter.explain(text, AT);
    t.match(result, { intent: 'OPT_OUT', review: false, explanation: { decided_by: 'rule' } }, text);
  }
  t.match(read('START'), { intent: 'OPT_IN', review: false });
  t.match(read('HELP'), { intent: 'HELP', review: false });
  t.match(read('aide'), { intent: 'HELP', review: false });
  t.equal(read('STOP').extracted['scope'], 'all');
  t.equal(read('STOP SMS').extracted['scope'], 'sms');
  t.match(
    interpreter.explain('stahp', AT),
    { intent: 'OPT_OUT', review: true, explanation: { review_reason: 'a person confirms: like STOP: stahp' } },
    'one word like STOP: a person reads it',
  );
  t.match(read('sopt'), { intent: 'OPT_OUT', review: true });
  t.not(read('top').intent, 'OPT_OUT', '"top" is praise');
  t.equal(read('STOP').language, 'fr', 'a bare keyword is answered in French');
  t.equal(read('Please stop texting me').language, 'en');
});

t.test('look-alike characters are folded before any rule or feature', async (t) => {
  t.equal(foldLookAlikes('ＳＴＯＰ'), 'STOP', 'fullwidth');
  t.equal(foldLookAlikes('ЅТОР'), 'STOP', 'Cyrillic');
  t.equal(foldLookAlikes('STO\u200BP'), 'STOP', 'zero-width space');
  t.equal(foldLookAlikes('𝗦𝗧𝗢𝗣'), 'STOP', 'mathematical bold');
  t.equal(foldLookAlikes('Arrêtez ça'), 'Arrêtez ça', 'plain text is returned as it is');
  for (const text of ['ＳＴＯＰ', 'ЅТОР', 'STO\u200BP', 'S\u00ADTOP', '𝗦𝗧𝗢𝗣 𝗦𝗩𝗣', 'ѕtор']) {
    t.match(read(text), { intent: 'OPT_OUT', review: false }, JSON.stringify(text));
  }
});

t.test('replies with no words: emoji and punctuation', async (t) => {
  t.match(read(''), { intent: 'UNKNOWN', review: false });
  t.match(read('...'), { intent: 'UNKNOWN', review: false });
  t.match(read('??'), { intent: 'QUESTION', review: false });
  t.match(read('🛑'), { intent: 'OPT_OUT', review: false });
  t.match(read('👍'), { intent: 'INTERESTED', review: false });
  t.match(read('👍🔥'), { intent: 'INTERESTED', review: false });
  t.match(read('❌'), { intent: 'NOT_INTERESTED', review: true }, 'a refusal emoji may mean stop: a person decides');
  t.match(read('😂'), { intent: 'UNKNOWN', review: false });
  t.match(read('A aimé « Bonjour, une démo ? »'), { intent: 'INTERESTED' });
  t.same(
    read('A aimé « Une démo jeudi à 14h ? Écrivez à claire@berinia.fr »').extracted,
    {},
    'the time and e-mail of our quoted message are not the prospect’s',
  );
  t.same(read('Liked “Call 06 12 34 56 78 tomorrow”').extracted, {});
  t.match(read('Liked “Have a great weekend from the team”'), { intent: 'UNKNOWN' }, 'liking a greeting says no yes');
  t.match(read('?!'), { intent: 'UNKNOWN', review: false }, '"?!" is surprise, not a question');
  t.match(read('!!'), { intent: 'UNKNOWN', review: false });
  t.match(read('Disliked “Would you like a demo?”'), { intent: 'UNKNOWN' }, 'our quoted words are not theirs');
});

t.test('negation guards: stop-words that do not ask to stop are read as such', async (t) => {
  t.same(guarded('pas de STOP pour moi, envoyez la doc'), ['pas de stop pour moi']);
  t.same(guarded('Ne me retirez pas de la liste'), ['ne me retirez pas de la liste']);
  t.same(guarded("don't take me off, I want the brochure"), ['don t take me off']);
  t.same(guarded('Stop by the shop on Thursday'), ['stop by']);
  t.same(guarded("j'attends à l'arrêt de bus"), ['a l arret de bus']);
  t.same(guarded('Salon Julie : -20% ! Répondez STOP au 36111 pour ne plus recevoir nos offres'), [
    'repondez stop au 36111 pour ne plus recevoir nos offres',
  ]);
  t.same(guarded('Arrêtez de m’écrire'), [], 'a real request is not guarded');
  t.same(guarded('SMS STOP au 36111'), ['sms stop au 36111'], 'a footer naming its short code');
  t.same(guarded('Envoyez SMS STOP pour vous désinscrire'), ['envoyez sms stop pour vous desinscrire']);
  t.same(guarded('Trop de SMS, stop'), [], '"SMS" then "stop" without a short code is a request');
  for (const text of [
    'pas de STOP pour moi, envoyez la doc',
    'Stop by the shop on Thursday at 3',
    'Surtout ne me retirez pas de la liste, je suis intéressé',
  ]) {
    // prettier-ignore
    t.not(read(text).intent, 'OPT_OUT', text);
  }
  t.ok(
    featureStrings(modelTokens(tokenize('pas de STOP pour moi')).tokens).includes('w notstop'),
    'the model sees the guard as a word',
  );
});

t.test('sentences: a full stop, a semicolon or a new line ends one, and nothing is read across it', async (t) => {
  t.same(tokenize('How about never. Take me off'), ['how', 'about', 'never', '.', 'take', 'me', 'off']);
  t.same(tokenize('ok; merci\nbonne journée'), ['ok', '.', 'merci', '.', 'bonne', 'journee']);
  t.same(tokenize('Stop. Merci.'), ['stop', '.', 'merci'], 'no boundary at the end');
  t.same(tokenize('Merci ;\n'), ['merci'], 'nor after a last semicolon or line');
  t.same(tokenize('Oui... ok?. bien'), ['oui', '.', 'ok', '?', 'bien'], 'one boundary, none after ? or !');
  t.same(tokenize('www.site.fr, 3.5 €'), ['ww', 'site', 'fr', '3', '5'], 'a full stop inside a word is no boundary');
  t.same(tokenize('S. T. O. P.'), ['stop'], 'spelled letters with full stops are one word');
  t.same(tokenize('J. R. Smith'), ['j', '.', 'r', '.', 'smith'], 'two initials are not a spelled word');
  t.same(tokenize('STOP=désinscription'), ['stop', '=', 'desinscription'], '"=" is a token');
  t.same(guarded('How about never. Take me off'), [], 'the negation of one sentence does not guard the next');
  t.same(guarded('how about never take me off'), ['never take me off'], 'within a sentence it does');
  t.same(modelTokens(tokenize('How about never. Take me off')).tokens, ['how', 'about', 'never', 'take', 'me', 'off']);
  t.equal(modelTokens(tokenize('non. stop')).line, ' non . stop ', 'the line keeps the boundary for the cues');
  t.same(
    modelTokens(tokenize('Pas de stop pour moi. Merci')).tokens,
    ['notstop', 'merci'],
    'the model reads neither the boundary nor the guarded span',
  );
  t.notOk(OPT_OUT_CUE.test(' on a pas de . sms de vous '), 'a cue does not join two sentences');
  t.match(read('How about never. Take me off'), { intent: 'OPT_OUT' });
  t.match(read('.'), { intent: 'UNKNOWN', review: false }, 'punctuation only has no words');
  t.match(read('='), { intent: 'UNKNOWN', review: false });
});

t.test('guards and cues: shorthand, reversed opt-outs, footers, idioms', async (t) => {
  t.same(guarded('sorry didnt mean 2 unsubscribe'), ['didnt mean 2 unsubscribe']);
  t.same(guarded('Je ne veux pas être retiré, merci'), ['je ne veux pas etre retire']);
  t.same(guarded('Non, et pas besoin de me retirer de votre liste'), ['pas besoin de me retirer de votre liste']);
  t.same(guarded('pas la peine de me retirer de vos contacts'), ['pas la peine de me retirer de vos contacts']);
  t.same(guarded('je me suis désabonné sans faire exprès'), ['desabonne sans faire expres']);
  t.same(guarded('Enlevez-moi de la liste des désinscrits'), ['enlevez moi de la liste des desinscrits']);
  t.same(guarded('Je conduis. [Garage Pro - STOP pour se désabonner]'), ['stop pour se desabonner']);
  t.same(guarded('Pour vous désinscrire : STOP'), ['pour vous desinscrire stop']);
  t.same(guarded('Votre commande est prête. STOP=désinscription'), ['stop = desinscription']);
  t.same(guarded('stop pour me désabonner'), [], 'one asking for himself is not a footer');
  t.same(guarded('Stop, désinscription'), [], 'nor "stop" then "désinscription" without "="');
  const tokens = (text: string) => modelTokens(tokenize(text)).tokens;
  t.same(tokens('Salon Julie. Répondez STOP au 36111'), ['salon', 'julie', 'footer'], 'a footer is read as one');
  t.same(tokens('ne me retirez pas'), ['notstop'], 'a negated request is read as another');
  t.same(tokens('annulez mon STOP svp'), ['notstop', 'svp']);
  for (const line of [
    ' y en a marre une fois ! ',
    ' marre de vos sms ',
    ' gtfo my phone ',
    ' give it a rest seriously ',
  ]) {
    t.ok(OPT_OUT_CUE.test(line), line);
  }
});

t.test('keywords with a typo or a polite phrase of several words: decided by rule', async (t) => {
  const rule = (text: string) => decideByRule(tokenize(text), text);
  t.match(rule('strat'), { intent: 'OPT_IN', review: true, rule: 'like START: strat' }, 'a person confirms');
  t.match(rule('satrt'), { intent: 'OPT_IN', review: true });
  t.match(rule('startt'), { intent: 'OPT_IN', review: true });
  t.match(rule('hlep'), { intent: 'HELP', review: false, rule: 'like HELP: hlep' });
  t.match(rule('helpp'), { intent: 'HELP', review: false });
  for (const text of ['tarts', 'smart', 'starts', 'hello', 'hell', 'kelp']) t.equal(rule(text), null, text);
  t.match(rule("Aide, s'il vous plaît une fois"), { intent: 'HELP', rule: 'keyword: aide' });
  t.match(rule("Stop s'il te plait"), { intent: 'OPT_OUT', rule: 'keyword: stop' });
  t.equal(rule("s'il vous plaît rappelez-moi"), null, 'a polite phrase alone is no keyword');
  for (const text of ['Y', 'yy', 'wi', 'Oui merci', 'yup!']) t.match(rule(text), { intent: 'INTERESTED' }, text);
  for (const text of ['N', 'nn', 'Non merci', 'nope']) t.match(rule(text), { intent: 'NOT_INTERESTED' }, text);
  for (const text of ['Y?', 'ok', 'oui demain', 'non stop']) t.equal(rule(text), null, `${text}: the model reads it`);
});

t.test('opt-outs in sentences, polite, rude, as a question, with a threat', async (t) => {
  for (const text of [
    'Merci de ne plus me contacter',
    'Supprimez mon numéro de votre fichier svp',
    "J'en ai marre de vos SMS, je vais saisir la CNIL",
    'Please remove me from your list',
    'Lose my number',
    'comment on fait pour ne plus recevoir vos messages ?',
    'Pas intéressé, ne m’écrivez plus',
    'Trop de SMS, stop',
    "Mettez-moi sur votre liste d'opposition",
    'Mon numéro, effacez-le',
    'I want off whatever list this is',
    "N'appelez plus le salon",
    'Ma femme dit de plus la relancer',
    'ta gueule',
  ]) {
    const result = read(text);
    t.ok(result.intent === 'OPT_OUT' || result.review, `caught: ${text} (${result.intent}, review ${result.review})`);
  }
  t.equal(read('plus de SMS svp, merci').extracted['scope'], 'sms');
  t.equal(read("ne m'appelez plus jamais, merci").extracted['scope'], 'calls');
});

t.test('every other intent, in French and English', async (t) => {
  const cases: [string, Intent][] = [
    ['Oui, envoyez-moi la plaquette', 'INTERESTED'],
    ['Non merci, on a déjà un prestataire', 'NOT_INTERESTED'],
    ['Rappelez-moi demain après 14h svp', 'CALLBACK_REQUEST'],
    ['Call me tomorrow morning', 'CALLBACK_REQUEST'],
    ['rdv jeudi 10h au magasin', 'MEETING'],
    ['Combien ça coûte par mois ?', 'QUESTION'],
    ['Mauvais numéro, je ne suis pas coiffeur', 'WRONG_NUMBER'],
    ['Wrong number', 'WRONG_NUMBER'],
  ];
  for (const [text, intent] of cases) {
    const result = read(text);
    t.equal(result.intent, intent, text);
    t.ok(result.confidence > 0 && result.confidence <= 1, `${text}: confidence in ]0, 1]`);
  }
  t.equal(read('Oui je suis intéressé').extracted['scope'], undefined, 'scope only on opt-outs');
});

t.test('the review policy on calibrated probabilities', async (t) => {
  const policyOf = (p: Partial<Record<Intent, number>>) =>
    new ClassifierInterpreter(fixedModel(p)).explain('un avis', AT);
  t.match(policyOf({ OPT_OUT: 0.95, QUESTION: 0.05 }), {
    intent: 'OPT_OUT',
    review: false,
    explanation: { review_reason: null },
  });
  t.match(policyOf({ OPT_OUT: 0.6, QUESTION: 0.4 }), {
    intent: 'OPT_OUT',
    review: true,
    explanation: { review_reason: 'an opt-out, not certain' },
  });
  t.match(policyOf({ QUESTION: 0.7, OPT_OUT: 0.3 }), {
    intent: 'QUESTION',
    review: true,
    secondary_intents: ['OPT_OUT'],
    explanation: { review_reason: 'may be an opt-out' },
  });
  const spread = { QUESTION: 0.19, MEETING: 0.18, INTERESTED: 0.17, UNKNOWN: 0.16, HELP: 0.15, CALLBACK_REQUEST: 0.15 };
  t.match(policyOf(spread), {
    intent: 'QUESTION',
    review: true,
    explanation: { review_reason: 'low confidence' },
  });
  t.match(policyOf({ QUESTION: 0.9, INTERESTED: 0.1 }), { intent: 'QUESTION', review: false });
  const cue = new ClassifierInterpreter(fixedModel({ QUESTION: 0.99 })).explain(
    'et pour se désabonner, on fait comment ?',
    AT,
  );
  t.match(cue, { intent: 'QUESTION', review: true, explanation: { review_reason: 'words that usually ask to stop' } });
  t.ok(DEFAULT_POLICY.optOutPossible < DEFAULT_POLICY.optOutSure);
  const fewer = new ClassifierInterpreter(fixedModel({ QUESTION: 1 }, ['QUESTION'])).interpret('un avis', AT);
  t.match(fewer, { intent: 'QUESTION', confidence: 1 }, 'a model without some intents reads them as impossible');
});

t.test('explain: the rule, or the model with its probabilities and strongest features', async (t) => {
  const ruled = interpreter.explain('STOP', AT);
  t.match(ruled.explanation, { decided_by: 'rule', rule: 'keyword: stop', probabilities: [], top_features: [] });
  const modelled = interpreter.explain('Rappelez-moi demain matin svp', AT);
  t.equal(modelled.explanation.decided_by, 'model');
  t.equal(modelled.explanation.probabilities[0]?.intent, 'CALLBACK_REQUEST');
  t.equal(modelled.explanation.probabilities.length, INTENTS.length);
  t.ok(modelled.explanation.top_features.length > 0 && modelled.explanation.top_features.length <= 8);
  t.ok(
    modelled.explanation.top_features.every(
      ({ weight }, i, all) => i === 0 || weight <= (all[i - 1]?.weight as number),
    ),
    'strongest first',
  );
  t.match(
    modelled.explanation.top_features.map(({ feature }) => feature).join(' '),
    /rap|appe|ppel/,
    'call words weigh most',
  );
});

t.test('the interpreter never throws: a failure is a reply for a person', async (t) => {
  const broken = new (class extends LinearModel {
    override probabilities(): Float64Array {
      throw new Error('broken model');
    }
  })(INTENTS, new Float64Array(INTENTS.length), new Int32Array(0), new Float32Array(0), 1);
  const failing = new ClassifierInterpreter(broken);
  t.match(failing.interpret('Bonjour', AT), { intent: 'UNKNOWN', confidence: 0, review: true });
  t.match(failing.explain('Bonjour', AT).explanation, { review_reason: 'the interpreter failed' });
});

t.test('features: the fast hashed path is the hash of the explained features', async (t) => {
  const rows = parseCorpus(readFileSync(new URL('../adapters/interpreter/data/train.tsv', import.meta.url), 'utf8'));
  for (const row of rows.filter((_, i) => i % 40 === 0)) {
    const tokens = modelTokens(tokenize(row.text)).tokens;
    const expected = [...new Set(featureStrings(tokens).map(bucketOf))].sort((a, b) => a - b);
    t.same([...bucketsOf(tokens)], expected, row.text);
  }
  t.same([...bucketsOf([])], [bucketOf('n 1')], 'an empty reply has its length feature only');
  t.same(tokenize('Ça m’intéresse, S T O P... st0p 5T0P 😡!'), [
    'ca',
    'm',
    'interesse',
    'stop',
    '.',
    'st0p',
    '5t0p',
    '😡',
    '!',
  ]);
  t.same(tokenize('Œuvre, Æsop, Straße'), ['oeuvre', 'aesop', 'strasse'], 'ligatures spelled out');
  const many = Array.from({ length: 20_001 }, (_, i) => `mot${i}`);
  t.equal(bucketsOf(many).length > 20_001, true, 'the token cache empties itself when full and still answers');
  t.ok(featureStrings(tokenize('st0p')).includes('w stop'), 'digits standing for letters are read as letters');
  t.ok(featureStrings(tokenize('stop2quit')).includes('w quit'), 'words glued by a digit are read apart');
  const long = 'word '.repeat(400);
  t.equal(tokenize(long).length, 200, 'only the start of a long reply is read');
});

t.test('features: word triples, words under a negation, character n-grams across two words', async (t) => {
  const features = (text: string) => featureStrings(modelTokens(tokenize(text)).tokens);
  const negated = (text: string) =>
    features(text)
      .filter((feature) => feature.startsWith('x '))
      .map((feature) => feature.slice(2));
  t.same(negated('pas intéressé merci'), ['interesse', 'merci'], 'a negation reaches the words after it');
  t.same(negated('ça m’intéresse pas'), ['m', 'interesse'], 'a French negation after its verb reaches the two before');
  t.same(negated('not interested at all today'), ['interested', 'at', 'all'], 'three words at most');
  t.same(negated("don't text me"), ['text', 'me'], "n't negates, the negators themselves are not negated words");
  t.same(negated('pas ? oui merci'), [], 'a question mark ends the scope');
  t.same(negated('oui je suis intéressé'), [], 'no negation, no negated word');
  t.ok(features('non merci bien').includes('t non merci bien'), 'word triples');
  t.same(
    features('pk pas').filter((feature) => feature.startsWith('y ')),
    ['y  pk p', 'y pk pa', 'y k pas'],
    'five characters with a space inside: "pk pas" is not read as "pk" and "pas" alone',
  );
  t.same(
    features('ok').filter((feature) => feature.startsWith('y ')),
    [],
    'a two-letter reply has no window across words',
  );
  const read = (text: string) => interpreter.interpret(text, AT);
  t.not(read('Pas intéressée du tout').intent, 'INTERESTED', 'a negated interest is not interest');
});

t.test('the model file is checked when it is read', async (t) => {
  const file = JSON.parse(readFileSync(new URL('../adapters/interpreter/data/model.json', import.meta.url), 'utf8'));
  t.throws(() => LinearModel.fromFile({ ...file, bias: [0] }), { code: 'MODEL_INVALID' });
  t.throws(
    () => LinearModel.fromFile({ ...file, temperature: 0 }),
    new ModelError('the model file does not fit its own shape'),
  );
  const buckets = new Int32Array(Buffer.from(file.buckets, 'base64').buffer.slice(0));
  const base64 = (values: Int32Array) => Buffer.from(values.buffer).toString('base64');
  const swapped = Int32Array.from(buckets);
  [swapped[0], swapped[1]] = [swapped[1] as number, swapped[0] as number];
  t.throws(
    () => LinearModel.fromFile({ ...file, buckets: base64(swapped) }),
    { code: 'MODEL_INVALID' },
    'buckets out of order',
  );
  const outside = Int32Array.from(buckets);
  outside[outside.length - 1] = 1 << 20;
  t.throws(
    () => LinearModel.fromFile({ ...file, buckets: base64(outside) }),
    { code: 'MODEL_INVALID' },
    'a bucket outside the 2^20',
  );
  t.equal(LinearModel.fromFile(file).classes.length, INTENTS.length);
});

t.test('each bucket finds its own row of weights, wherever it falls in the bucket range', async (t) => {
  // Buckets at both ends of a 32-bit word (bit 31 makes the word negative), across words, and the last one.
  const buckets = Int32Array.from([0, 31, 32, 63, 64, 1000, (1 << 20) - 1]);
  const weights = Float32Array.from(buckets, (_, row) => row + 1); // one class: row r weighs r + 1
  const model = new LinearModel(['ONLY'], Float64Array.from([0]), buckets, weights, 1);
  buckets.forEach((bucket, row) => {
    t.equal(model.scores(Int32Array.of(bucket))[0], row + 1, `bucket ${bucket}`);
  });
  for (const absent of [1, 30, 33, 65, 999, 1001, (1 << 20) - 2]) {
    t.equal(model.scores(Int32Array.of(absent))[0], 0, `bucket ${absent} has no weights`);
  }
  t.ok(
    Math.abs((model.scores(Int32Array.of(31, 63, 1000))[0] as number) - 12 / Math.sqrt(3)) < 1e-12,
    'several buckets add up',
  );
});

t.test('e-mail, phone, channel, mode, name', async (t) => {
  t.same(read('mon mail: Jean.Dupont@Example.fr.').extracted['email'], 'jean.dupont@example.fr');
  t.same(read('john dot smith at gmail dot com').extracted['email'], 'john.smith@gmail.com');
  t.same(read('marie tiret claire underscore b arobase free point fr').extracted['email'], 'marie-claire_b@free.fr');
  t.same(read('appelez le +33 (0)6 12 34 56 78').extracted['phone'], '+33612345678');
  t.same(read('call me on +1 415 555 2671').extracted['phone'], '+14155552671');
  const belgian = new ClassifierInterpreter(model, DEFAULT_POLICY, 'BE');
  t.same(
    belgian.interpret('bel me op 0475 12 34 56', AT).extracted['phone'],
    '+32475123456',
    'PHONE_REGION reads national numbers',
  );
  t.equal(read('STOP 36180').extracted['phone'], undefined, 'a short code is not a phone');
  t.equal(read('envoyez par mail svp').extracted['channel_pref'], 'email');
  t.equal(read('plutôt par WhatsApp').extracted['channel_pref'], 'whatsapp');
  t.equal(read('répondez par sms').extracted['channel_pref'], 'sms');
  t.equal(read('mieux au téléphone ').extracted['channel_pref'], 'phone');
  t.equal(read('on fait une visio mardi').extracted['mode'], 'video');
  t.equal(read('Intéressé. Cordialement, Anne-Marie').extracted['name'], 'Anne-Marie');
  t.equal(
    read('Volontiers, envoyez le devis. Bien à vous, Dr Martin – Cabinet du Parc').extracted['name'],
    'Dr Martin',
  );
  t.equal(read('ok pour moi — Julie').extracted['name'], 'Julie');
  t.match(read('passez au salon de Lyon jeudi').extracted, { mode: 'in_person', location: 'salon lyon' });
  t.match(read('rdv à Genève mardi ?').extracted, { location: 'geneve' });
  t.equal(read('better to call, texting is slow').extracted['channel_pref'], 'phone');
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
    ['call me 2-4pm', { time_from: '14:00', time_to: '16:00', when_text: '2-4pm' }],
    ['11-1pm', { time_from: '11:00', time_to: '13:00' }],
    ['30-45pm', {}],
    ['pas avant septembre', { month: 9, constraint: 'not_before', when_text: 'pas avant septembre' }],
    ['rappelez vers midi', { period: 'lunch', approx: true, when_text: 'vers midi' }],
    ['call me in 20', { offset: 'PT20M', when_text: 'in 20' }],
    ['dans 0', {}],
  ];
  for (const [text, expected] of cases) t.match(read(text).extracted, expected, text);
  t.notOk('when_text' in read('25h').extracted, 'no time, no when_text');
  t.same(read('lundi 10h ou mardi 15h').extracted['options'], [
    { day: 'monday', time: '10:00' },
    { day: 'tuesday', time: '15:00' },
  ]);
  t.match(read('je confirme le rdv de demain 9h').extracted, { action: 'confirm', when_text: 'demain 9h' });
  t.match(read('on décale à vendredi ?').extracted, { action: 'reschedule', day: 'friday', when_text: 'vendredi' });
  t.match(read('pas dispo avant lundi, je suis intéressé').extracted, {
    constraint: 'not_before',
    when_text: 'pas dispo avant lundi',
  });
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
  const rows = parseCorpus(
    `\uFEFF${header}1\t Stop \tOPT_OUT\t\r\n2\tCall me at 5\tCALLBACK_REQUEST\t{"time":"17:00"}\n\n3\tarret\tOPT_OUT\n`,
  );
  t.same(
    rows.map((row) => row.text),
    [' Stop ', 'Call me at 5', 'arret'],
    'spaces kept, CRLF, blank lines, short rows',
  );
  t.throws(() => parseCorpus(`${header}3\n`), new CorpusError('line 2: unknown intent ""'), 'a short row');
  const e = evaluate(rows, (row) => read(row.text));
  t.equal(e.accuracy, 1);
  t.equal(e.perIntent.HELP.precision, 1, 'no prediction, no support: 1 by convention');
  t.match(formatEvaluation(e), /accuracy: 100\.0 %/);
  t.notMatch(formatEvaluation(e), /misses:/, 'no misses section when nothing is missed');
  const wrong = evaluate(
    [{ id: '9', text: 'Stop', intent: 'HELP', extracted: { phone: '+33612345678', time: '09:00' } }],
    (row) => read(row.text),
  );
  t.equal(wrong.hardFalseOptOuts, 1);
  t.match(
    formatEvaluation(wrong),
    /misses:\n {2}9 {2}"Stop" {2}expected HELP, got OPT_OUT\n {2}9 {2}"Stop" {2}expected phone="\+33612345678", got phone=nothing\n {2}9 {2}"Stop" {2}expected time="09:00", got time=nothing\n$/,
  );
});

t.test('a short keyword one letter off, and Swiss numbers by their grouping alone', async (t) => {
  t.match(decideByRule(['arretz'], 'arretz'), { intent: 'OPT_OUT', rule: 'keyword with a typo: arretez' });
  t.equal(decideByRule(['arrtz'], 'arrtz'), null, 'a short keyword allows one edit, not two');
  t.same(findPhones('079 123 45 67'), [{ value: '+41791234567', start: 0, end: 13 }], 'grouped 3-3-2-2 from 07: Swiss');
  t.same(
    findPhones('mon natel 079 123 45 67').map((found) => found.value),
    ['+41791234567'],
  );
  t.same(
    findPhones('012 345 67 89').map((found) => found.value),
    ['+33123456789'],
    'the same grouping from 01: home',
  );
});
