/**
 * Per-tenant keys. Each tenant has a data key wrapped by the KeyVault (KMS in AWS) under the
 * encryption context {tenantId}. It is unwrapped once per container and cached, so a warm
 * verification makes no KMS call. Two purpose keys are derived from it with HKDF (RFC 5869):
 * one to seal secrets, one to key the recovery-code hashes.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { KeyVault } from './ports';
import type { TenantRecord } from './records';

export interface TenantKeys {
  sealKey: Uint8Array;
  hashKey: Uint8Array;
}

export const dataKeyContext = (tenantId: string) => ({ purpose: 'twofold-data-key', tenantId });

export class KeyRing {
  private readonly cache = new Map<string, Promise<TenantKeys>>();

  constructor(private readonly vault: KeyVault) {}

  keysFor(tenant: Pick<TenantRecord, 'tenantId' | 'wrappedDataKey'>): Promise<TenantKeys> {
    const cacheKey = `${tenant.tenantId}|${tenant.wrappedDataKey}`;
    let keys = this.cache.get(cacheKey);
    if (!keys) {
      keys = this.vault.decryptDataKey(tenant.wrappedDataKey, dataKeyContext(tenant.tenantId)).then(derive);
      // a failed unwrap must not be cached: the next request tries again
      keys.catch(() => this.cache.delete(cacheKey));
      this.cache.set(cacheKey, keys);
    }
    return keys;
  }
}

function derive(dataKey: Uint8Array): TenantKeys {
  const sub = (info: string) => new Uint8Array(hkdfSync('sha256', dataKey, new Uint8Array(0), info, 32));
  return { sealKey: sub('twofold/seal/v1'), hashKey: sub('twofold/code-hash/v1') };
}

/** A keyed hash (HMAC-SHA-256) of a code, bound to tenant and user. */
export function keyedHash(hashKey: Uint8Array, tenantId: string, userId: string, value: string): string {
  return createHmac('sha256', hashKey).update(JSON.stringify([tenantId, userId, value])).digest('base64url');
}
