import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { EncryptionContext, KeyVault } from '@twofold/core/ports';

/**
 * Data keys from AWS KMS (GenerateDataKey / Decrypt), bound to an encryption context so a
 * wrapped key only unwraps for the tenant it was made for (and CloudTrail records which).
 */
export class KmsKeyVault implements KeyVault {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async generateDataKey(context: EncryptionContext) {
    const out = await this.kms.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
    return { plaintext: out.Plaintext, wrapped: Buffer.from(out.CiphertextBlob).toString('base64') };
  }

  async decryptDataKey(wrapped: string, context: EncryptionContext) {
    const out = await this.kms.send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: Buffer.from(wrapped, 'base64'), EncryptionContext: context }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no key');
    return out.Plaintext;
  }
}
