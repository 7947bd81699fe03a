/**
 * One contract for every TenantDirectory: a tenant is created once (of 10 parallel creations
 * one), read with its policy's defaults filled in, and listed; policy and quota are set on an
 * existing tenant only; the signing key is created once (of 10 parallel creations the first stays).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '@twofold/contract';
import type { SigningKeyRecord } from '@twofold/core';
import type { TenantRecord } from '@twofold/core/records';
import { storeImplementations, T0, unique, type Stores } from '../support/stores';

const tenantOf = (tenantId: string, name = 'Acme'): TenantRecord => ({ tenantId, name, createdAtMs: T0, wrappedDataKey: 'wrapped', policy: Policy.parse({}) });

describe.each(storeImplementations)('TenantDirectory contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('creates a tenant once of 10 parallel creations, reads it back and lists it', async () => {
    const tenantId = unique('tn_');
    const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => s.tenants.createTenant(tenantOf(tenantId, `name ${i}`))));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await s.tenants.getTenant(tenantId)).toEqual(tenantOf(tenantId, `name ${raced.indexOf(true)}`));
    expect(await s.tenants.getTenant(unique('tn_'))).toBeUndefined();
    expect(await s.tenants.listTenantIds()).toContain(tenantId);
  });

  it('sets the policy (with when enforcement started) and the quota of an existing tenant only', async () => {
    const tenantId = unique('tn_');
    await s.tenants.createTenant(tenantOf(tenantId));
    const policy = Policy.parse({ enforcement: { mode: 'all' } });
    await s.tenants.putPolicy(tenantId, policy, { all: T0 + 5 });
    expect(await s.tenants.putQuota(tenantId, { requestsPerSecond: 50, burst: 100 })).toBe(true);
    expect(await s.tenants.getTenant(tenantId)).toEqual({ ...tenantOf(tenantId), policy, enforcementSince: { all: T0 + 5 }, quota: { requestsPerSecond: 50, burst: 100 } });
    expect(await s.tenants.putQuota(unique('tn_'), { requestsPerSecond: 50, burst: 100 })).toBe(false);
    await expect(s.tenants.putPolicy(unique('tn_'), policy)).rejects.toThrow();
  });

  it('creates the signing key once: of 10 parallel creations the one that won stays', async () => {
    const record = (i: number): SigningKeyRecord => ({ kid: `kid-${i}`, publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, sealedPrivateJwk: `sealed-${i}`, wrappedDataKey: 'w', createdAtMs: T0 });
    const existing = await s.tenants.getSigningKey();
    expect(existing).toBeUndefined();
    const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => s.tenants.createSigningKey(record(i))));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await s.tenants.getSigningKey()).toEqual(record(raced.indexOf(true)));
  });
});
