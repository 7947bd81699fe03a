/**
 * The DynamoDB user store against dynalite through the real SDK: every racing state change is
 * one conditional write, so of N parallel attempts exactly the allowed number win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, DynamoUserStore } from '@twofold/adapters';
import type { FactorRecord } from '@twofold/core';
import { startLocalDynamo, type LocalDynamo } from '@twofold/local/dynamodb-local';

let dynamo: LocalDynamo;
let store: DynamoUserStore;
const tenantId = 'tn_concurrency1';
const now = Date.parse('2026-11-22T10:00:00Z');

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  const db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  store = new DynamoUserStore(db, dynamo.tableNames.secrets);
});
afterAll(() => dynamo.stop());

const factor = (factorId: string, status: FactorRecord['status']): FactorRecord => ({
  factorId,
  type: 'totp',
  label: 'phone',
  status,
  createdAtMs: now,
  failedAttempts: 0,
  totp: { sealedSecret: 'v1.x', algorithm: 'sha1', digits: 6, period: 30 },
});

const wins = (results: boolean[]) => results.filter(Boolean).length;

describe('DynamoUserStore under parallel requests', () => {
  it('uses a TOTP step once: 20 parallel uses of one step, one wins; an earlier step never wins after', async () => {
    await store.addFactor(tenantId, 'u1', factor('f_aaaaaaaaaa', 'active'));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.useTotpStep(tenantId, 'u1', 'f_aaaaaaaaaa', 1000, now)));
    expect(wins(results)).toBe(1);
    expect(await store.useTotpStep(tenantId, 'u1', 'f_aaaaaaaaaa', 999, now)).toBe(false);
    expect(await store.useTotpStep(tenantId, 'u1', 'f_aaaaaaaaaa', 1001, now)).toBe(true);
    expect((await store.load(tenantId, 'u1')).factors[0]).toMatchObject({ lastUsedStep: 1001, lastUsedAtMs: now });
  });

  it('activates a pending factor once', async () => {
    await store.addFactor(tenantId, 'u2', factor('f_bbbbbbbbbb', 'pending'));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.activateFactor(tenantId, 'u2', 'f_bbbbbbbbbb', { step: 50 + i, nowMs: now })));
    expect(wins(results)).toBe(1);
    expect((await store.load(tenantId, 'u2')).factors[0]!.status).toBe('active');
  });

  it('spends a recovery code once: 20 parallel spends, one wins, the others stay', async () => {
    await store.putRecoverySet(tenantId, 'u3', { hashes: ['h1', 'h2', 'h3'], sealedCodes: 'v1.x', createdAtMs: now });
    const results = await Promise.all(Array.from({ length: 20 }, () => store.spendRecoveryCode(tenantId, 'u3', 'h2')));
    // the winner learns how many are left; every other spend is refused
    expect(results.filter((r) => r !== false)).toEqual([2]);
    expect((await store.load(tenantId, 'u3')).recovery!.hashes.sort()).toEqual(['h1', 'h3']);
  });

  it('a regenerated set replaces the old codes entirely', async () => {
    await store.putRecoverySet(tenantId, 'u4', { hashes: ['old1', 'old2'], sealedCodes: 'v1.x', createdAtMs: now });
    await store.putRecoverySet(tenantId, 'u4', { hashes: ['new1'], sealedCodes: 'v1.y', createdAtMs: now });
    expect(await store.spendRecoveryCode(tenantId, 'u4', 'old1')).toBe(false);
    expect(await store.spendRecoveryCode(tenantId, 'u4', 'new1')).toBe(0);
    expect(await store.spendRecoveryCode(tenantId, 'u4', 'new1')).toBe(false);
  });

  it('counts 20 parallel failures only up to the limit, then reports the lock', async () => {
    const limits = { maxAttempts: 5, lockoutSeconds: 600, nowMs: now };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.countLoginFailure(tenantId, 'u5', limits)));
    const counted = outcomes.filter((o) => o.counted);
    expect(counted).toHaveLength(5);
    expect(counted.map((o) => (o.counted ? o.failures : 0)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(outcomes.filter((o) => !o.counted && o.reason === 'locked')).toHaveLength(15);
    const after = (await store.load(tenantId, 'u5')).failures!;
    expect(after).toMatchObject({ failures: 5, maxAttempts: 5, windowEndsAtMs: now + 600_000 });
  });

  it('starts counting again once the window has passed', async () => {
    const late = now + 600_001;
    const outcome = await store.countLoginFailure(tenantId, 'u5', { maxAttempts: 5, lockoutSeconds: 600, nowMs: late });
    expect(outcome).toEqual({ counted: true, failures: 1, windowEndsAtMs: late + 600_000 });
  });

  it('counts wrong enrollment codes only while the factor is pending and under the limit', async () => {
    await store.addFactor(tenantId, 'u6', factor('f_cccccccccc', 'pending'));
    const results = await Promise.all(Array.from({ length: 10 }, () => store.countFactorFailure(tenantId, 'u6', 'f_cccccccccc', 5)));
    expect(results.filter((r) => r !== false).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('turning two-factor off removes factors, codes and failures but keeps the profile', async () => {
    await store.ensureProfile(tenantId, 'u7', now);
    await store.addFactor(tenantId, 'u7', factor('f_dddddddddd', 'active'));
    await store.putRecoverySet(tenantId, 'u7', { hashes: ['h'], sealedCodes: 'v1.x', createdAtMs: now });
    await store.countLoginFailure(tenantId, 'u7', { maxAttempts: 5, lockoutSeconds: 600, nowMs: now });
    await store.deleteTwoFactorState(tenantId, 'u7');
    const user = await store.load(tenantId, 'u7');
    expect(user.factors).toEqual([]);
    expect(user.recovery).toBeUndefined();
    expect(user.failures).toBeUndefined();
    expect(user.profile?.userId).toBe('u7');
  });

  it("keeps tenants apart: the same user id in another tenant is another user", async () => {
    await store.addFactor(tenantId, 'shared', factor('f_eeeeeeeeee', 'active'));
    expect((await store.load('tn_other0001', 'shared')).factors).toEqual([]);
  });
});
