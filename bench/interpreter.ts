/**
 * The interpreter alone: messages a second on one core, over replies written like real ones (the
 * benchmark's own list, not the test corpus). Prints one JSON object. Run by bench/run.ts, pinned.
 */
import { ClassifierInterpreter, loadBundledModel } from '../adapters/interpreter/classifier-interpreter.js';

const REPLIES = [
  'Stop', 'STOP svp', 'Oui je suis intéressé', 'Non merci', 'Rappelez-moi demain à 10h', 'rdv jeudi 14h ?',
  'C’est combien ?', 'Mauvais numéro', 'Pas intéressé, ne m’écrivez plus', 'Bonjour', '👍', 'Merci',
  'Oui appelez-moi demain matin au 06 12 34 56 78', 'Envoyez la doc à jean.dupont@exemple.fr',
  'Je suis en réunion, je vous rappelle dans 10 min', 'Please stop texting me', 'Call me tomorrow at 10am',
  'Who is this?', 'Vous pouvez arrêter les SMS, j’ai déjà un prestataire', 'Dispo mardi prochain entre 14h et 16h',
  'Comment avez-vous eu mon numéro ?', 'Je ne suis pas Mme Leroy', 'START', 'AIDE', 'Trop cher pour nous',
  'Je suis absent jusqu’au 15/08', 'ok envoyez à jean point dupont arobase gmail point com', 'desabonner',
  'Bonjour, nous sommes une PME de 12 personnes, est-ce que votre solution gère les devis et la facturation ? Merci',
]; // prettier-ignore

const interpreter = new ClassifierInterpreter(loadBundledModel());
const at = new Date();
for (let i = 0; i < 50_000; i++) interpreter.interpret(REPLIES[i % REPLIES.length] as string, at); // warm-up
const count = 300_000;
const started = process.hrtime.bigint();
for (let i = 0; i < count; i++) interpreter.interpret(REPLIES[i % REPLIES.length] as string, at);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify({ messagesPerSecond: count / seconds, microsPerMessage: (seconds / count) * 1e6 })}\n`,
);
