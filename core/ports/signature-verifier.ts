import type { RawFields } from '../inbound-message.js';

/** A webhook call as the provider signed it. */
export interface SignedRequest {
  /** The public URL the provider called (configured base + path + query), never taken from request headers. */
  readonly url: string;
  readonly method: string;
  /** Header names in lower case; a repeated header may come as a list. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Decoded body fields (or query fields for a GET webhook). */
  readonly fields: RawFields;
}

/** Proves a webhook call came from the provider; fails closed. */
export interface SignatureVerifier {
  /** True only when the request carries a valid signature for one of the configured secrets. */
  verify(request: SignedRequest): boolean;
}
