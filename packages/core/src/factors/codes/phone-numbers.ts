/**
 * Which phone numbers may receive SMS codes (the SMS pumping guard). Only this module reads the
 * full phone metadata (`libphonenumber-js/max`, about 150 KB): only enrolment imports it, so
 * only the enrollment bundle carries it. Enrolment records on the factor the number's country
 * and its type as the metadata classified it; every later send checks what was recorded
 * (`smsDestinationAllowed` in destinations.ts) and needs no metadata.
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { fail } from '../../errors';
import type { SmsNumberType } from '../../records';

/**
 * The types a code may go to. MOBILE; and FIXED_LINE_OR_MOBILE, which the metadata gives only
 * where the country's numbering plan does not separate mobiles from landlines (the NANP: US,
 * CA and the Caribbean, and a few others, e.g. AR, CN, IN ranges): refusing it would refuse
 * every phone there. Everything else is refused: FIXED_LINE (a landline cannot read a text;
 * a voice fallback bills by the minute), PREMIUM_RATE and SHARED_COST (the sender pays the
 * pumper), TOLL_FREE, VOIP, UAN, PAGER, PERSONAL_NUMBER, VOICEMAIL, and a number whose type the
 * metadata cannot tell.
 */
const SENDABLE_TYPES: readonly SmsNumberType[] = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];

export interface SmsDestination {
  /** E.164 */
  e164: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  type: SmsNumberType;
}

/** Normalises `input` to E.164 and refuses anything that is not a mobile of an allowed country (422). */
export function checkSmsDestination(input: string, allowedCountries: readonly string[]): SmsDestination {
  const phone = validNumber(input);
  // +800, +808, +870, +878, +881, +882, +883, +888, +979: global networks (satellite phones,
  // international freephone and premium rate) belong to no country and are refused
  const country = phone.country ?? fail('phone_number_not_allowed', 'Codes cannot be sent to this number: it belongs to a global network (satellite or international service), not to a country.');
  const type = phone.getType();
  if (!type || !(SENDABLE_TYPES as readonly string[]).includes(type)) {
    const what = type ? `a ${type.toLowerCase().replace(/_/g, ' ')} number` : 'a number of unknown type';
    fail('phone_number_not_allowed', `Codes cannot be sent to this number: it is ${what}, not a mobile.`);
  }
  if (allowedCountries.length > 0 && !allowedCountries.includes(country)) {
    fail('phone_number_not_allowed', `Codes can only be sent to numbers in: ${allowedCountries.join(', ')}.`);
  }
  return { e164: phone.number, country, type: type as SmsNumberType };
}

/** A number valid for its country, or 422 invalid_phone_number. */
function validNumber(input: string) {
  let phone;
  try {
    phone = parsePhoneNumberWithError(input.trim());
  } catch {
    return fail('invalid_phone_number', 'The phone number is not valid: give it in international format with the country code, e.g. +447700900123.');
  }
  if (!phone.isValid()) fail('invalid_phone_number', 'The phone number is not a valid number for its country.');
  return phone;
}

/** A phone number kept on a user's profile: valid for its country, normalised to E.164. */
export const profilePhone = (input: string): string =>
  // a line break or other control character is never part of a number
  /[\u0000-\u001f\u007f]/.test(input) ? fail('invalid_phone_number', 'The phone number is not valid: it holds a line break or another control character.') : validNumber(input).number;
