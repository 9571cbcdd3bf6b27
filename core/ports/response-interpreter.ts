import type { Interpretation } from '../intent.js';

/** Reads the intent and the data of a prospect's reply; in-process and deterministic. */
export interface ResponseInterpreter {
  /** Interprets `content`, resolving relative times against `receivedAt`. */
  interpret(content: string, receivedAt: Date): Interpretation;
}
