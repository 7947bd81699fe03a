/**
 * Where codes go: phone numbers (checked and normalised to E.164 at enrolment, phone-numbers.ts),
 * email addresses lower-cased, and both masked in every response.
 */
import { fail } from '../../errors';
import type { FactorRecord, SmsFactorRecord } from '../../records';

/**
 * Every SMS send checks the phone factor against the tenant's policy as it is now (a tenant
 * that narrows `sms.allowedCountries` during a pumping attack stops sends to the rest at once):
 * its country must be allowed, and enrolment must have recorded it as a mobile
 * (phone-numbers.ts, with the full metadata, which this module does without). A phone factor
 * without that record (enrolled before the full metadata was used) is refused: enrol it again.
 */
export function requireSmsDestinationAllowed(factor: Pick<SmsFactorRecord, 'phoneCountry' | 'phoneType'>, allowedCountries: readonly string[]): void {
  const country = factor.phoneType ? factor.phoneCountry : undefined;
  if (country === undefined) {
    return fail('phone_number_not_allowed', 'Codes cannot be sent to this phone: it was enrolled before mobile numbers were checked; enrol it again.');
  }
  if (allowedCountries.length > 0 && !allowedCountries.includes(country)) {
    fail('phone_number_not_allowed', `Codes can only be sent to numbers in: ${allowedCountries.join(', ')}.`);
  }
}

/** An emergency recovery phone: a method outside the login methods, never the default. */
export const isRecoveryPhone = (factor: FactorRecord | undefined) => factor?.type === 'sms' && factor.recovery === true;

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
