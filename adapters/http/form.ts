import type { RawFields } from '../../core/inbound-message.js';

/** A caller's mistake in the request itself, answered with `status` and a short reason. */
export class RequestError extends Error {
  readonly code = 'ERR_BAD_REQUEST';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * At most this many fields in a form: Twilio's inbound webhook has about 30 (plus two a picture, at
 * most ten pictures), Vonage's about 15. A body of thousands of keys is refused before it is
 * decoded or its signature computed (each key would be sorted and hashed for every candidate URL).
 */
export const MAX_FIELDS = 256;

/**
 * Decodes `application/x-www-form-urlencoded` text (`+` is a space) into fields, keeping every
 * value of a repeated key. Malformed percent-encoding or invalid UTF-8 is rejected, never mangled.
 */
export function parseForm(body: Buffer | string): RawFields {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    throw new RequestError(400, 'body is not valid utf-8');
  }
  const pairs = text.split('&', MAX_FIELDS + 1);
  if (pairs.length > MAX_FIELDS) throw new RequestError(413, `more than ${MAX_FIELDS} form fields`);
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const pair of pairs) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const previous = fields[key];
    if (previous === undefined) fields[key] = value;
    else if (typeof previous === 'string') fields[key] = [previous, value];
    else previous.push(value);
  }
  return fields;
}

function decode(component: string): string {
  if (!component.includes('%') && !component.includes('+')) return component; // most keys, many values
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    throw new RequestError(400, 'malformed percent-encoding in form data');
  }
}
