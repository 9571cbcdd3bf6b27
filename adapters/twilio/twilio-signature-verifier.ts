import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import type { SignatureVerifier, SignedRequest } from '../../core/ports/signature-verifier.js';

/**
 * Checks `X-Twilio-Signature` with the official `twilio` package: base64 HMAC-SHA1 over the public
 * URL plus every POST field (keys sorted), compared in constant time, with and without the default
 * port. Several tokens may be configured while the auth token is rotated; none means no request
 * is accepted.
 */
export class TwilioSignatureVerifier implements SignatureVerifier {
  private readonly tokens: readonly string[];

  constructor(tokens: readonly string[]) {
    this.tokens = tokens.filter((token) => token.length > 0);
  }

  verify(request: SignedRequest): boolean {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature.length === 0) return false;
    return this.tokens.some((token) => validateRequest(token, signature, request.url, request.fields));
  }
}
