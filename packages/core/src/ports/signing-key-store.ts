import type { JWK } from 'jose';

export interface SigningKeyRecord {
  kid: string;
  publicJwk: JWK;
  /** The private JWK, sealed with AES-256-GCM under `wrappedDataKey`'s plaintext. */
  sealedPrivateJwk: string;
  wrappedDataKey: string;
  createdAtMs: number;
}

export interface SigningKeyStore {
  getSigningKey(): Promise<SigningKeyRecord | undefined>;
  /** A conditional create: false when another writer created one first (nothing is overwritten). */
  createSigningKey(record: SigningKeyRecord): Promise<boolean>;
}
