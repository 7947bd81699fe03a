import { createCipheriv, createDecipheriv } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EncryptionContext, KeyVault, Random } from '@twofold/core/ports';

/**
 * The local stand-in for KMS: a 256-bit master key in a file only its owner can read (0600),
 * made on first start. Data keys are wrapped with AES-256-GCM, the encryption context as
 * additional data, so a key wrapped for one tenant does not unwrap for another, as with KMS.
 */
export class LocalKeyVault implements KeyVault {
  constructor(
    private readonly masterKey: Uint8Array,
    private readonly random: Random,
  ) {
    if (masterKey.length !== 32) throw new Error('the local master key must be 32 bytes');
  }

  /** A vault whose master key lives only as long as this process (tests, a run without a data directory). */
  static inMemory(random: Random): LocalKeyVault {
    return new LocalKeyVault(random.bytes(32), random);
  }

  static fromFile(path: string, random: Random): LocalKeyVault {
    let key: Uint8Array;
    try {
      key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    } catch {
      key = random.bytes(32);
      mkdirSync(dirname(path), { recursive: true });
      // 'wx' fails if another process made the file in the meantime: then use theirs
      try {
        writeFileSync(path, Buffer.from(key).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch {
        key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
      }
    }
    return new LocalKeyVault(key, random);
  }

  async generateDataKey(context: EncryptionContext) {
    const plaintext = this.random.bytes(32);
    const iv = this.random.bytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64') };
  }

  async decryptDataKey(wrapped: string, context: EncryptionContext) {
    const raw = Buffer.from(wrapped, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, raw.subarray(0, 12));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return new Uint8Array(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]));
    } catch {
      throw new Error('the data key does not unwrap under this encryption context');
    }
  }
}

const aad = (context: EncryptionContext) =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))), 'utf8');
