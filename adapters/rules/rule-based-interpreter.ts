import type { Intent, Interpretation, Language } from '../../core/intent.js';
import type { ResponseInterpreter } from '../../core/ports/response-interpreter.js';

/** Lower case, accents removed, punctuation as spaces: the form every rule reads. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.+]+/gu, ' ')
    .trim();
}

const RULES: readonly { intent: Intent; pattern: RegExp; confidence: number }[] = [
  { intent: 'OPT_OUT', pattern: /^(stop|stopall|unsubscribe|cancel|end|quit|revoke|optout|arret|fin)$/, confidence: 1 },
  { intent: 'OPT_OUT', pattern: /\b(stop|unsubscribe|desinscri\w*|desabonn\w*)\b/, confidence: 0.9 },
  { intent: 'OPT_IN', pattern: /^(start|unstop|yes)$/, confidence: 1 },
  { intent: 'HELP', pattern: /^(help|info|aide)$/, confidence: 1 },
];

const ENGLISH = /\b(the|you|me|my|please|yes|call|help|number|thanks|interested|not)\b/;

/** A first keyword reader: recognises opt-out, opt-in and help keywords; everything else is UNKNOWN. */
export class RuleBasedInterpreter implements ResponseInterpreter {
  interpret(content: string): Interpretation {
    const text = fold(content);
    const language: Language = ENGLISH.test(text) ? 'en' : 'fr';
    const rule = RULES.find((candidate) => candidate.pattern.test(text));
    return {
      intent: rule?.intent ?? 'UNKNOWN',
      confidence: rule?.confidence ?? 0,
      language,
      extracted: {},
      secondary_intents: [],
    };
  }
}
