/**
 * The twin's stand-in for AWS KMS (there is no local KMS server): symmetric keys by id, with the
 * operations the KeyVault port sends (GenerateDataKey, Decrypt, Encrypt) and the AWS
 * behaviour the guarantees rest on: a ciphertext names its key and opens only with the exact
 * encryption context it was made with (AES-256-GCM, the canonical context as additional data).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { TwinKey } from './assembly';

const MAGIC = Buffer.from('TWINKMS1');

export class KmsError extends Error {
  constructor(
    readonly type: 'NotFoundException' | 'InvalidCiphertextException' | 'ValidationException' | 'IncorrectKeyException',
    message: string,
  ) {
    super(message);
  }
}

type Context = Record<string, string>;

const canonical = (context: Context | undefined) =>
  Buffer.from(
    JSON.stringify(
      Object.keys(context ?? {})
        .sort()
        .map((k) => [k, context?.[k]]),
    ),
  );

export class TwinKms {
  private readonly material = new Map<string, Buffer>();

  /** Key material lives in `file` (a data directory's) so that sealed data outlives a restart; in memory without one. */
  constructor(
    private readonly keys: TwinKey[],
    file?: string,
  ) {
    const saved: Record<string, string> = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
    for (const key of keys) this.material.set(key.keyId, saved[key.keyId] ? Buffer.from(saved[key.keyId] ?? '', 'base64') : randomBytes(32));
    if (file) writeFileSync(file, JSON.stringify(Object.fromEntries([...this.material].map(([id, m]) => [id, m.toString('base64')]))), { mode: 0o600 });
  }

  /** The key a KeyId names: its id, ARN, alias name or alias ARN. */
  keyOf(keyId: string): TwinKey {
    const key = this.keys.find((k) => k.keyId === keyId || k.arn === keyId || k.aliases.includes(keyId) || k.aliases.some((a) => keyId.endsWith(`:${a}`)));
    if (!key) throw new KmsError('NotFoundException', `Key '${keyId}' does not exist`);
    return key;
  }

  /** The key a ciphertext was made with (Decrypt needs no KeyId for symmetric keys). */
  keyOfCiphertext(blob: Buffer): TwinKey {
    if (blob.length < MAGIC.length + 36 + 28 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid');
    return this.keyOf(blob.subarray(MAGIC.length, MAGIC.length + 36).toString('latin1'));
  }

  encrypt(keyId: string, plaintext: Buffer, context: Context | undefined): Buffer {
    const key = this.keyOf(keyId);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.materialOf(key), iv);
    cipher.setAAD(canonical(context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.from(key.keyId, 'latin1'), iv, cipher.getAuthTag(), sealed]);
  }

  decrypt(blob: Buffer, context: Context | undefined, keyId?: string): { key: TwinKey; plaintext: Buffer } {
    const key = this.keyOfCiphertext(blob);
    if (keyId && this.keyOf(keyId).keyId !== key.keyId) throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
    const at = MAGIC.length + 36;
    const decipher = createDecipheriv('aes-256-gcm', this.materialOf(key), blob.subarray(at, at + 12));
    decipher.setAAD(canonical(context));
    decipher.setAuthTag(blob.subarray(at + 12, at + 28));
    try {
      return { key, plaintext: Buffer.concat([decipher.update(blob.subarray(at + 28)), decipher.final()]) };
    } catch {
      // what KMS says for a wrong encryption context as for a damaged ciphertext
      throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid');
    }
  }

  /** The JSON operations of the KMS API (TrentService.<Operation>). */
  handle(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const context = (input.EncryptionContext ?? undefined) as Context | undefined;
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : '', 'base64');
    switch (operation) {
      case 'GenerateDataKey': {
        const key = this.keyOf(String(input.KeyId ?? ''));
        const bytes = input.KeySpec === 'AES_128' ? 16 : typeof input.NumberOfBytes === 'number' ? input.NumberOfBytes : 32;
        const plaintext = randomBytes(bytes);
        return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: this.encrypt(key.keyId, plaintext, context).toString('base64') };
      }
      case 'Encrypt': {
        const key = this.keyOf(String(input.KeyId ?? ''));
        return { KeyId: key.arn, CiphertextBlob: this.encrypt(key.keyId, b64(input.Plaintext), context).toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      }
      case 'Decrypt': {
        const { key, plaintext } = this.decrypt(b64(input.CiphertextBlob), context, typeof input.KeyId === 'string' ? input.KeyId : undefined);
        return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      }
      case 'DescribeKey': {
        const key = this.keyOf(String(input.KeyId ?? ''));
        return { KeyMetadata: { KeyId: key.keyId, Arn: key.arn, Enabled: true, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Description: 'a key of the deployment twin' } };
      }
      default:
        throw new KmsError('ValidationException', `${operation} is not served by the twin's KMS`);
    }
  }

  private materialOf(key: TwinKey): Buffer {
    const m = this.material.get(key.keyId);
    if (!m) throw new KmsError('NotFoundException', `Key '${key.arn}' does not exist`);
    return m;
  }
}
