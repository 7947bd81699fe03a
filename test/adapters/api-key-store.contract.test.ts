/**
 * One contract for every ApiKeyStore: keys are found by id and listed by tenant with their last
 * use; a tenant's last admin key cannot be revoked, even by 2 parallel revocations of its only two
 * (one goes); a key is revoked only by its own tenant; a use is recorded at most once an interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '@twofold/core/records';
import { storeImplementations, T0, unique, type Stores } from '../support/stores';

const key = (tenantId: string, keyId: string, scope: ApiKeyRecord['scope'] = 'admin'): ApiKeyRecord => ({ keyId, tenantId, scope, name: `key ${keyId}`, secretHash: `hash-${keyId}`, createdAtMs: T0 });

describe.each(storeImplementations)('ApiKeyStore contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('finds a key by id and lists the tenant\'s keys with their last use, recorded at most once an interval', async () => {
    const tenant = unique('tn_');
    const [k1, k2] = [unique('k'), unique('k')];
    await s.apiKeys.create(key(tenant, k1));
    await s.tenants.putApiKey(key(tenant, k2, 'app'));
    expect(await s.apiKeys.get(k1)).toEqual(key(tenant, k1));
    expect(await s.apiKeys.get('nope')).toBeUndefined();
    await s.apiKeys.touch(tenant, k1, T0 + 1000, 60_000);
    await s.apiKeys.touch(tenant, k1, T0 + 2000, 60_000);
    const listed = (await s.apiKeys.list(tenant)).sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
    expect(listed).toEqual(
      [
        { keyId: k1, name: `key ${k1}`, scope: 'admin', createdAtMs: T0, lastUsedAtMs: T0 + 1000 },
        { keyId: k2, name: `key ${k2}`, scope: 'app', createdAtMs: T0, lastUsedAtMs: null },
      ].sort((a, b) => (a.keyId < b.keyId ? -1 : 1)),
    );
    await s.apiKeys.touch(tenant, k1, T0 + 61_000, 60_000);
    expect((await s.apiKeys.list(tenant)).find((k) => k.keyId === k1)?.lastUsedAtMs).toBe(T0 + 61_000);
    expect(await s.apiKeys.list(unique('tn_'))).toEqual([]);
  });

  it('keeps the last admin key: of two parallel revocations of the only two, one goes; another tenant cannot revoke a key', async () => {
    const tenant = unique('tn_');
    const [a1, a2, app] = [unique('k'), unique('k'), unique('k')];
    await s.apiKeys.create(key(tenant, a1));
    await s.apiKeys.create(key(tenant, a2));
    await s.apiKeys.create(key(tenant, app, 'app'));
    expect(await s.apiKeys.revoke(unique('tn_'), app)).toBe('not_found');
    expect(await s.apiKeys.get(app)).toBeDefined();
    const raced = await Promise.all([s.apiKeys.revoke(tenant, a1), s.apiKeys.revoke(tenant, a2)]);
    expect(raced.sort()).toEqual(['last_admin_key', 'revoked']);
    const left = (await s.apiKeys.list(tenant)).filter((k) => k.scope === 'admin');
    expect(left).toHaveLength(1);
    expect(await s.apiKeys.get(left[0]?.keyId ?? '')).toBeDefined();
    expect(await s.apiKeys.revoke(tenant, app)).toBe('revoked');
    expect(await s.apiKeys.get(app)).toBeUndefined();
    expect(await s.apiKeys.revoke(tenant, app)).toBe('not_found');
  });
});
