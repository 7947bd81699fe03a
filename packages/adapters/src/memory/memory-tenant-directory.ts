import { Policy, TenantQuota, type Policy as PolicyType } from '@twofold/contract/schemas';
import type { SigningKeyRecord, TenantDirectory } from '@twofold/core/ports';
import type { ApiKeyRecord, TenantRecord } from '@twofold/core/records';
import { MemoryApiKeyStore } from './memory-api-key-store';
import type { MemoryTables } from './memory-tables';

/** Tenants, their first API keys and the deployment's signing key. */
export class MemoryTenantDirectory implements TenantDirectory {
  constructor(private readonly tables: MemoryTables) {}

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const tenant = this.tables.tenants.get(tenantId);
    if (!tenant) return undefined;
    const { quota, ...rest } = structuredClone(tenant);
    // parsed on read, as the Dynamo adapter does, so that fields added to the policy later get their defaults
    return { ...rest, policy: Policy.parse(rest.policy), ...(quota ? { quota: TenantQuota.parse(quota) } : {}) };
  }

  async listTenantIds(): Promise<string[]> {
    return [...this.tables.tenants.keys()].sort();
  }

  async createTenant(tenant: TenantRecord): Promise<boolean> {
    if (this.tables.tenants.has(tenant.tenantId)) return false;
    this.tables.tenants.set(tenant.tenantId, structuredClone(tenant));
    return true;
  }

  async putPolicy(tenantId: string, policy: PolicyType, enforcementSince?: TenantRecord['enforcementSince']): Promise<void> {
    const tenant = this.tables.tenants.get(tenantId);
    if (!tenant) throw new Error(`no tenant ${tenantId}`);
    tenant.policy = structuredClone(policy);
    if (enforcementSince) tenant.enforcementSince = structuredClone(enforcementSince);
  }

  async putQuota(tenantId: string, quota: TenantQuota): Promise<boolean> {
    const tenant = this.tables.tenants.get(tenantId);
    if (!tenant) return false;
    tenant.quota = structuredClone(quota);
    return true;
  }

  async putApiKey(key: ApiKeyRecord): Promise<void> {
    await new MemoryApiKeyStore(this.tables).create(key);
  }

  async getSigningKey(): Promise<SigningKeyRecord | undefined> {
    return this.tables.signingKey && structuredClone(this.tables.signingKey);
  }

  async createSigningKey(record: SigningKeyRecord): Promise<boolean> {
    // nothing is overwritten: of racing writers, the first one's key stays
    if (this.tables.signingKey) return false;
    this.tables.signingKey = structuredClone(record);
    return true;
  }
}
