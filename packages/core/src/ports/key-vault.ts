export type EncryptionContext = Record<string, string>;

/** Protects data keys with a master key the service never holds (KMS in AWS, a key file locally). */
export interface KeyVault {
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Uint8Array; wrapped: string }>;
  decryptDataKey(wrapped: string, context: EncryptionContext): Promise<Uint8Array>;
}
