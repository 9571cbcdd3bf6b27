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
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const pair of text.split('&')) {
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
