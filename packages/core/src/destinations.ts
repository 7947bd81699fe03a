/**
 * Where codes go: phone numbers normalised to E.164 with libphonenumber-js, email addresses
 * lower-cased, and both masked in every response.
 */
import { parsePhoneNumberWithError, type NumberType } from 'libphonenumber-js/min';
import { fail } from './errors';

/**
 * Number types that cannot receive a text message or that cost the sender extra (premium rate,
 * shared cost: the usual targets of SMS pumping). Where the metadata cannot tell a number's
 * type (undefined, or FIXED_LINE_OR_MOBILE), the number is accepted.
 */
const REFUSED_TYPES = new Set<NumberType>(['FIXED_LINE', 'PREMIUM_RATE', 'SHARED_COST', 'TOLL_FREE', 'VOIP', 'PAGER', 'UAN', 'VOICEMAIL']);

export function normalisePhone(input: string, allowedCountries: readonly string[]): { e164: string; country: string | undefined } {
  let phone;
  try {
    phone = parsePhoneNumberWithError(input.trim());
  } catch {
    return fail('invalid_phone_number', 'The phone number is not valid: give it in international format with the country code, e.g. +447700900123.');
  }
  if (!phone.isValid()) fail('invalid_phone_number', 'The phone number is not a valid number for its country.');
  const type = phone.getType();
  if (type && REFUSED_TYPES.has(type)) {
    fail('phone_number_not_allowed', `Codes cannot be sent to this number: it looks like a ${type.toLowerCase().replace(/_/g, ' ')} number, not a mobile.`);
  }
  if (allowedCountries.length > 0 && (!phone.country || !allowedCountries.includes(phone.country))) {
    fail('phone_number_not_allowed', `Codes can only be sent to numbers in: ${allowedCountries.join(', ')}.`);
  }
  return { e164: phone.number, country: phone.country };
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** Keeps the country code and the last two digits: enough to recognise, not to call. */
export function maskPhone(phone: string): string {
  return phone.length <= 5 ? '***' : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export const maskDestination = (type: 'sms' | 'email', destination: string) => (type === 'sms' ? maskPhone(destination) : maskEmail(destination));
