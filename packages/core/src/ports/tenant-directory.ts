import type { Policy, TenantQuota } from '@twofold/contract/schemas';
import type { ApiKeyRecord, TenantRecord } from '../records';
import type { SigningKeyStore } from './signing-key-store';

/** The directory also keeps the deployment's assertion signing key. */
export interface TenantDirectory extends SigningKeyStore {
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  /** Every tenant's id (for jobs that go over all tenants). */
  listTenantIds(): Promise<string[]>;
  /** Fails (returns false) when the tenant exists already. */
  createTenant(tenant: TenantRecord): Promise<boolean>;
  putPolicy(tenantId: string, policy: Policy, enforcementSince?: TenantRecord['enforcementSince']): Promise<void>;
  /** The operator's request quota of the tenant (tenant:quota); false when there is no such tenant. */
  putQuota(tenantId: string, quota: TenantQuota): Promise<boolean>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
}
