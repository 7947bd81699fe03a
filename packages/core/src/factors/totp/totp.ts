/**
 * TOTP (RFC 6238) on top of otplib's TOTP and URI packages, with its plugin for Node's own
 * crypto (otplib's default HMAC is pure JavaScript, 13 KB more in every bundle). Secrets are
 * 160 bits, the size RFC 4226 section 4 recommends ("The length of the shared secret MUST be at
 * least 128 bits. This document RECOMMENDs a shared secret length of 160 bits."). Replay
 * protection: the step a code was accepted for is stored, and only later steps are accepted
 * afterwards.
 */
import { crypto } from '@otplib/plugin-crypto-node';
import { base32 } from '@otplib/plugin-base32-scure';
import { generate, verifySync } from '@otplib/totp';
import type { TotpSettings } from '@twofold/contract/schemas';
import type { Random } from '../../ports';

export const TOTP_SECRET_BYTES = 20;

export type TotpAlgorithm = TotpSettings['algorithm'];

export interface TotpKey {
  secret: Uint8Array;
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: 30 | 60;
}

export function newTotpSecret(random: Random): Uint8Array {
  return random.bytes(TOTP_SECRET_BYTES);
}

/** A base32 secret (RFC 4648, upper case, no padding) as bytes: an imported authenticator's. */
export function base32Decode(secret: string): Uint8Array {
  return base32.decode(secret);
}

/** Base32 without padding, as authenticator apps expect. */
export function encodeSecret(secret: Uint8Array): string {
  return base32.encode(secret, { padding: false });
}

/**
 * The Key Uri Format (github.com/google/google-authenticator/wiki/Key-Uri-Format):
 * otpauth://totp/Issuer:account?secret=…&issuer=…[&algorithm=…][&digits=…][&period=…].
 * The label is `issuer:account` with each part percent-encoded (RFC 3986), so that the one
 * literal colon is the separator: a ':' inside a tenant's issuer or an account name (an email
 * address may hold one) is encoded, never taken for the separator. (otplib's generator leaves
 * colons inside the parts literal, which makes the label ambiguous.) Parameters as otplib
 * writes them: the defaults (SHA1, 6 digits, 30 s) left out.
 */
export function otpauthUri(key: TotpKey, issuer: string, account: string): string {
  const params = [`secret=${encodeSecret(key.secret)}`, `issuer=${encodeURIComponent(issuer)}`];
  if (key.algorithm !== 'sha1') params.push(`algorithm=${key.algorithm.toUpperCase()}`);
  if (key.digits !== 6) params.push(`digits=${key.digits}`);
  if (key.period !== 30) params.push(`period=${key.period}`);
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?${params.join('&')}`;
}

export async function totpCode(key: TotpKey, epochSeconds: number): Promise<string> {
  return generate({ secret: key.secret, algorithm: key.algorithm, digits: key.digits, period: key.period, epoch: epochSeconds, crypto });
}

/**
 * Checks a code within ±window steps of now, rejecting steps at or before `afterStep`.
 * Returns the matched time step, or undefined.
 */
export function matchTotp(
  key: TotpKey,
  code: string,
  options: { epochSeconds: number; window: number; afterStep?: number },
): number | undefined {
  if (code.length !== key.digits) return undefined;
  // otplib's synchronous check (Node's HMAC is synchronous): no promise per step of the window
  const result = verifySync({
    secret: key.secret,
    token: code,
    algorithm: key.algorithm,
    digits: key.digits,
    period: key.period,
    epoch: options.epochSeconds,
    epochTolerance: options.window * key.period,
    crypto,
    ...(options.afterStep !== undefined ? { afterTimeStep: options.afterStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
