/** The key vault: AWS KMS, or a local key file (its own module: see parts.ts). */
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyVault } from '@twofold/adapters/aws/kms-key-vault';
import { LocalKeyVault } from '@twofold/adapters/local/local-key-vault';
import type { Dependencies } from '../dependencies';
import type { Part } from '../wiring';
import { random } from './basics';

export const vault: Part<Dependencies['vault']> = (w) => {
  if (w.overrides.vault) return w.overrides.vault;
  const { keyVault } = w.config;
  return keyVault.kind === 'kms' ? new KmsKeyVault(new KMSClient({ region: w.config.region }), keyVault.keyId) : LocalKeyVault.fromFile(keyVault.keyFile, w.get(random));
};
