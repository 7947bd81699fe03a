import type { Scope } from '@twofold/contract/schemas';
import type { ApiKeyRecord } from '../records';

/** A key as the tenant's list shows it. */
export interface ApiKeyEntry {
  keyId: string;
  name: string;
  scope: Scope;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

export type RevokeOutcome = 'revoked' | 'not_found' | 'last_admin_key';

/**
 * Where API keys live. `revoke` keeps the tenant's last admin key with one conditional write, so
 * that two revocations racing cannot leave the tenant without one; `touch` is one conditional
 * write that records a use only if none was recorded in the last `minIntervalMs`.
 */
export interface ApiKeyStore {
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  create(key: ApiKeyRecord): Promise<void>;
  list(tenantId: string): Promise<ApiKeyEntry[]>;
  revoke(tenantId: string, keyId: string): Promise<RevokeOutcome>;
  touch(tenantId: string, keyId: string, nowMs: number, minIntervalMs: number): Promise<void>;
}
