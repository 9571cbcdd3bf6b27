import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';

export type { CountryCode };

/**
 * A phone number as typed ("06 87 65 43 21", "+33 6 87…", "0033 6…", "(514) 555-0142") in E.164
 * (`+33687654321`), read in `region`'s numbering when it has no country code; null when it is not
 * a valid number. Every number that enters the system goes through here, so that one prospect is
 * one lead however their number was written.
 */
export function toE164(raw: string, region: CountryCode): string | null {
  const phone = parsePhoneNumberFromString(raw.trim().replace(/^00/, '+'), region);
  return phone?.isValid() ? phone.number : null;
}

/** True for a region libphonenumber-js knows (ISO 3166-1 alpha-2: FR, BE, CH, CA, GB…). */
export function isRegion(code: string): code is CountryCode {
  return isSupportedCountry(code);
}
