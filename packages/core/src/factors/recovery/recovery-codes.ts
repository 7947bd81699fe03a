/**
 * Recovery codes: 16 characters of an unambiguous 32-letter alphabet (Crockford's base32:
 * no I, L, O, U), so 80 bits each, written as four groups of four. Input is normalised the way
 * Crockford's spec says to read it: case-insensitive, dashes and spaces ignored, O read as 0
 * and I/L as 1.
 */
import type { Random } from '../../ports';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_CHARS = 16;
export const RECOVERY_CODE_BITS = RECOVERY_CODE_CHARS * 5;

export function newRecoveryCode(random: Random): string {
  // 5 bits per character from 10 random bytes (80 bits), no modulo bias
  const bytes = random.bytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < RECOVERY_CODE_CHARS; i++) {
    out = ALPHABET[Number(bits & 31n)]! + out;
    bits >>= 5n;
  }
  return out.match(/.{4}/g)!.join('-');
}

export function newRecoveryCodes(random: Random, count: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(newRecoveryCode(random));
  return [...codes];
}

/** The canonical form hashed and compared; undefined when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const s = input
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  if (s.length !== RECOVERY_CODE_CHARS) return undefined;
  for (const c of s) if (!ALPHABET.includes(c)) return undefined;
  return s;
}

/**
 * What a recovery code is hashed as: a Twofold code in its canonical form; a code imported from
 * another system (any format) lower-cased without spaces and dashes, 6 characters at least.
 */
export function recoveryCodeKey(input: string): string | undefined {
  const canonical = normaliseRecoveryCode(input);
  if (canonical) return canonical;
  const loose = input.toLowerCase().replace(/[\s-]/g, '');
  return loose.length >= 6 ? `imported:${loose}` : undefined;
}
