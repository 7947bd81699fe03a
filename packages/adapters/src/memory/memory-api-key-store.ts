import type { ApiKeyEntry, ApiKeyStore, RevokeOutcome } from '@twofold/core/ports';
import type { ApiKeyRecord } from '@twofold/core/records';
import type { MemoryTables } from './memory-tables';

/** API keys, the tenant's list of them (with its admin keys) and their last uses, as the Dynamo adapter keeps them. */
export class MemoryApiKeyStore implements ApiKeyStore {
  constructor(private readonly tables: MemoryTables) {}

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const key = this.tables.apiKeys.get(keyId);
    return key && structuredClone(key);
  }

  async create(key: ApiKeyRecord): Promise<void> {
    if (this.tables.apiKeys.has(key.keyId)) throw new Error(`API key ${key.keyId} exists already`);
    this.tables.apiKeys.set(key.keyId, structuredClone(key));
    const list = this.listOf(key.tenantId);
    list.listed.set(key.keyId, { name: key.name, scope: key.scope, createdAtMs: key.createdAtMs });
    if (key.scope === 'admin') list.admins.add(key.keyId);
  }

  async list(tenantId: string): Promise<ApiKeyEntry[]> {
    const used = this.tables.keyUses.get(tenantId);
    return [...(this.tables.apiKeyLists.get(tenantId)?.listed ?? [])].map(([keyId, listed]) => ({ keyId, ...listed, lastUsedAtMs: used?.get(keyId) ?? null }));
  }

  async revoke(tenantId: string, keyId: string): Promise<RevokeOutcome> {
    const list = this.tables.apiKeyLists.get(tenantId);
    const listed = list?.listed.get(keyId);
    if (list && listed) {
      // another admin key must stay, so that the tenant is never left without one
      if (listed.scope === 'admin' && !(list.admins.has(keyId) && list.admins.size > 1)) return 'last_admin_key';
      list.listed.delete(keyId);
      list.admins.delete(keyId);
    }
    // the record that authenticates goes too, and only the tenant's own
    const deleted = this.tables.apiKeys.get(keyId)?.tenantId === tenantId && this.tables.apiKeys.delete(keyId);
    this.tables.keyUses.get(tenantId)?.delete(keyId);
    return listed || deleted ? 'revoked' : 'not_found';
  }

  async touch(tenantId: string, keyId: string, nowMs: number, minIntervalMs: number): Promise<void> {
    let used = this.tables.keyUses.get(tenantId);
    if (!used) this.tables.keyUses.set(tenantId, (used = new Map()));
    const last = used.get(keyId);
    // a use recorded at most once per interval
    if (last === undefined || last <= nowMs - minIntervalMs) used.set(keyId, nowMs);
  }

  private listOf(tenantId: string) {
    let list = this.tables.apiKeyLists.get(tenantId);
    if (!list) this.tables.apiKeyLists.set(tenantId, (list = { listed: new Map(), admins: new Set() }));
    return list;
  }
}
