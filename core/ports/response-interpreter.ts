import type { Interpretation } from '../intent.js';

/** Reads the intent and the data of a prospect's reply; in-process and deterministic. */
export interface ResponseInterpreter {
  /** Which model or rules read the reply, kept as evidence in the consent ledger. */
  readonly version?: string;
  /** Interprets `content`, resolving relative times against `receivedAt`. */
  interpret(content: string, receivedAt: Date): Interpretation;
}
