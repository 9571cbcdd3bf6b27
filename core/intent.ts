export const INTENTS = [
  'OPT_OUT',
  'OPT_IN',
  'HELP',
  'INTERESTED',
  'NOT_INTERESTED',
  'CALLBACK_REQUEST',
  'MEETING',
  'QUESTION',
  'WRONG_NUMBER',
  'UNKNOWN',
] as const;

export type Intent = (typeof INTENTS)[number];

export type Language = 'fr' | 'en';

/** What the interpreter read in a reply. */
export interface Interpretation {
  readonly intent: Intent;
  /** In [0, 1]. */
  readonly confidence: number;
  readonly language: Language;
  /** Data found in the text (time, e-mail, phone, scope...), field names as in the corpus README. */
  readonly extracted: Readonly<Record<string, unknown>>;
  /** Other intents of a mixed message, strongest first. */
  readonly secondary_intents: readonly Intent[];
  /**
   * True when a person must read the reply before anything is done: it may be an opt-out without
   * being clearly one, or the interpreter is unsure. The number is held meanwhile.
   */
  readonly review: boolean;
}

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}

/** A reply nobody could read (the interpreter failed): unknown, and held for a person. */
export const UNREAD: Interpretation = Object.freeze({
  intent: 'UNKNOWN',
  confidence: 0,
  language: 'fr',
  extracted: Object.freeze({}),
  secondary_intents: Object.freeze([]),
  review: true,
});
