/**
 * Codes sent by SMS or email: 6 digits from a CSPRNG, stored only as a keyed hash bound to
 * the tenant, the user and what the code is for (a challenge or a pending factor).
 */
import { timingSafeEqual } from 'node:crypto';
import { keyedHash } from '../../keyring';
import type { Random } from '../../ports';

export const OTP_DIGITS = 6;
/** A user must wait this long between two codes for the same challenge. */
export const RESEND_COOLDOWN_SECONDS = 30;

const RANGE = 10 ** OTP_DIGITS;
// the largest multiple of RANGE below 2^32: values at or above it are drawn again (no modulo bias)
const LIMIT = Math.floor(2 ** 32 / RANGE) * RANGE;

export function newOtpCode(random: Random): string {
  for (;;) {
    const bytes = random.bytes(4);
    const n = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    if (n < LIMIT) return String(n % RANGE).padStart(OTP_DIGITS, '0');
  }
}

export function otpHash(hashKey: Uint8Array, tenantId: string, userId: string, purpose: string, code: string): string {
  return keyedHash(hashKey, tenantId, userId, `otp:${purpose}:${code}`);
}

/** What the velocity limits key a destination by: a keyed hash, so counters hold no phone number. */
export const destinationKey = (keys: { hashKey: Uint8Array }, tenantId: string, destination: string) =>
  keyedHash(keys.hashKey, tenantId, '*', `destination:${destination}`).slice(0, 22);

export function sameHash(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === y.length && timingSafeEqual(x, y);
}
