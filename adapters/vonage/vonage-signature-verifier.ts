import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureVerifier, SignedRequest } from '../../core/ports/signature-verifier.js';

/** The signature methods of a Vonage account (dashboard, "Signature method"). */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

export interface VonageSignatureOptions {
  /** Accepted signature secrets: two while one is being rotated; none accepts nothing. */
  readonly secrets: readonly string[];
  readonly method: VonageSignatureMethod;
  /** Oldest accepted `timestamp`, in seconds before now (Vonage resends with the first timestamp for 24 h). */
  readonly maxAgeSeconds: number;
  /** Largest accepted clock skew for a `timestamp` in the future, in seconds. */
  readonly maxSkewSeconds: number;
  readonly clock: () => Date;
}

/**
 * Checks the `sig` of a signed Vonage SMS webhook (see adapters/vonage/README.md): every other
 * parameter, sorted by name, as `&name=value` with `&` and `=` in values turned into `_`, then
 * MD5 of that text plus the secret (`md5hash`) or an HMAC keyed by the secret; hex, any case,
 * compared in constant time. The `timestamp` parameter must be within the replay window.
 */
export class VonageSignatureVerifier implements SignatureVerifier {
  private readonly secrets: readonly string[];

  constructor(private readonly options: VonageSignatureOptions) {
    this.secrets = options.secrets.filter((secret) => secret.length > 0);
  }

  verify(request: SignedRequest): boolean {
    const { fields } = request;
    const sig = fields['sig'];
    const timestamp = fields['timestamp'];
    if (typeof sig !== 'string' || !/^[0-9a-fA-F]+$/.test(sig) || sig.length % 2 !== 0) return false;
    if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
    const age = this.options.clock().getTime() / 1000 - Number(timestamp);
    if (age > this.options.maxAgeSeconds || age < -this.options.maxSkewSeconds) return false;

    const text = signedText(fields);
    if (text === null) return false;
    const given = Buffer.from(sig, 'hex');
    return this.secrets.some((secret) => {
      const expected = digest(this.options.method, secret, text);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }
}

/** What Vonage signs: every parameter but `sig`, sorted; null for a repeated one (never signed). */
function signedText(fields: SignedRequest['fields']): string | null {
  let text = '';
  for (const name of Object.keys(fields).sort()) {
    if (name === 'sig') continue;
    const value = fields[name];
    if (typeof value !== 'string') return null;
    text += `&${name}=${value.replace(/[&=]/g, '_')}`;
  }
  return text;
}

/** The `sig` Vonage would send with `fields` (for `npm run sms`; tests sign with Vonage's SDK). */
export function vonageSignature(method: VonageSignatureMethod, secret: string, fields: Record<string, string>): string {
  return digest(method, secret, signedText(fields) as string).toString('hex');
}

function digest(method: VonageSignatureMethod, secret: string, text: string): Buffer {
  if (method === 'md5hash')
    return createHash('md5')
      .update(text + secret)
      .digest();
  return createHmac(method, secret).update(text).digest();
}
