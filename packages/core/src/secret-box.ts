/**
 * Envelope encryption of secrets at rest: AES-256-GCM under a key derived from the tenant's
 * data key (which the KeyVault protects). The additional authenticated data binds each
 * ciphertext to where it belongs (tenant + user + factor), so a ciphertext copied into another
 * user's record fails to decrypt instead of yielding a working secret.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DomainError } from './errors';
import type { Random } from './ports';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs for GCM
const TAG_BYTES = 16;

export type Binding = readonly string[];

const aadOf = (binding: Binding) => Buffer.from(JSON.stringify(binding), 'utf8');

export function seal(key: Uint8Array, random: Random, plaintext: Uint8Array, binding: Binding): string {
  const iv = random.bytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(binding));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${VERSION}.${Buffer.concat([iv, body, tag]).toString('base64url')}`;
}

export function open(key: Uint8Array, sealed: string, binding: Binding): Uint8Array {
  const [version, payload] = sealed.split('.');
  if (version !== VERSION || !payload) throw new SealedDataError('unknown sealed format');
  const raw = Buffer.from(payload, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new SealedDataError('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(aadOf(binding));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealedDataError('sealed data does not decrypt for this binding');
  }
}

/** Tampered or misplaced ciphertext: an integrity failure, never shown to a client as such. */
export class SealedDataError extends Error {
  override name = 'SealedDataError';
}

export { DomainError };
