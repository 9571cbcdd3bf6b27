import { createHmac, timingSafeEqual } from 'node:crypto';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import type { RawFields } from '../../core/inbound-message.js';
import type { SignatureVerifier, SignedRequest } from '../../core/ports/signature-verifier.js';

/**
 * Checks `X-Twilio-Signature`: base64 HMAC-SHA1 over the public URL plus every POST field (keys
 * sorted, each key followed by its value), compared in constant time. The one signature Twilio
 * computes for our configured URL is checked first, with one HMAC; only a mismatch tries the
 * official `twilio` package's variants (with and without the default port, the URL as `new URL()`
 * normalizes it), so a forged request costs no more than a genuine one several times over. Several
 * tokens may be configured while the auth token is rotated; none means no request is accepted.
 */
export class TwilioSignatureVerifier implements SignatureVerifier {
  private readonly tokens: readonly string[];

  constructor(tokens: readonly string[]) {
    this.tokens = tokens.filter((token) => token.length > 0);
  }

  verify(request: SignedRequest): boolean {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature.length === 0) return false;
    const given = Buffer.from(signature);
    const data = signedData(request.url, request.fields);
    for (const token of this.tokens) {
      const expected = Buffer.from(createHmac('sha1', token).update(data, 'utf8').digest('base64'));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
    }
    return this.tokens.some((token) => validateRequest(token, signature, request.url, request.fields));
  }
}

/** What Twilio signs: the URL, then each field's key and value, keys sorted (a repeated key's distinct values sorted). */
function signedData(url: string, fields: RawFields): string {
  let data = url;
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key] as string | readonly string[];
    if (typeof value === 'string') data += key + value;
    else for (const one of [...new Set(value)].sort()) data += key + one;
  }
  return data;
}
