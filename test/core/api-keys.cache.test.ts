/**
 * The per-container API key cache (core ApiKeyAuthenticator), with a counting store: a valid key
 * costs one read per TTL, a burst of made-up keys cannot push it out (issue 9: the cache of valid
 * keys was cleared when full), a key revoked in another container stops working within the TTL,
 * and a key's use is recorded at most once per interval.
 */
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator, hashKeySecret, type ApiKeyStore } from '@twofold/core';
import type { ApiKeyRecord } from '@twofold/core';
import { ManualClock } from '../support/fakes';

const SECRET = 'A'.repeat(43);
const KEY_ID = '0123456789abcdef';
const header = (keyId: string, secret = SECRET) => `Bearer tf_${keyId}.${secret}`;

function countingStore() {
  const records = new Map<string, ApiKeyRecord>([[KEY_ID, { keyId: KEY_ID, tenantId: 'tn_a', scope: 'admin', name: 'ops', secretHash: hashKeySecret(SECRET), createdAtMs: 0 }]]);
  const reads: string[] = [];
  const touches: number[] = [];
  const store: Pick<ApiKeyStore, 'get' | 'touch'> = {
    get: async (keyId) => {
      reads.push(keyId);
      return records.get(keyId);
    },
    touch: async (_tenantId, _keyId, nowMs) => {
      touches.push(nowMs);
    },
  };
  return { store, records, reads, touches };
}

describe('ApiKeyAuthenticator', () => {
  it('a valid key is read once per TTL, then served from the cache', async () => {
    const clock = new ManualClock();
    const { store, reads } = countingStore();
    const auth = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 60 });
    for (let i = 0; i < 20; i++) expect(await auth.authenticate(header(KEY_ID))).toEqual({ tenantId: 'tn_a', scope: 'admin', keyId: KEY_ID, keyName: 'ops' });
    expect(reads).toHaveLength(1);
    clock.advanceSeconds(61);
    await auth.authenticate(header(KEY_ID));
    expect(reads).toHaveLength(2);
  });

  it('threat: a burst of 5,000 made-up keys does not evict the valid one (no extra read for it)', async () => {
    const clock = new ManualClock();
    const { store, reads } = countingStore();
    const auth = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 60, maxKeys: 1000, maxUnknownKeys: 256 });
    await auth.authenticate(header(KEY_ID));
    for (let i = 0; i < 5000; i++) expect(await auth.authenticate(header(i.toString(16).padStart(16, '0').replace(/^0/, 'f')))).toBeUndefined();
    const before = reads.filter((k) => k === KEY_ID).length;
    expect(await auth.authenticate(header(KEY_ID))).toEqual({ tenantId: 'tn_a', scope: 'admin', keyId: KEY_ID, keyName: 'ops' });
    expect(reads.filter((k) => k === KEY_ID).length).toBe(before);
  });

  it('an unknown key repeated is read once per TTL (its miss is cached apart)', async () => {
    const clock = new ManualClock();
    const { store, reads } = countingStore();
    const auth = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 60 });
    for (let i = 0; i < 10; i++) expect(await auth.authenticate(header('fedcba9876543210'))).toBeUndefined();
    expect(reads).toEqual(['fedcba9876543210']);
  });

  it('a wrong secret for a real key id, a malformed header or none: no caller', async () => {
    const { store } = countingStore();
    const auth = new ApiKeyAuthenticator({ apiKeys: store, clock: new ManualClock() }, { ttlSeconds: 60 });
    expect(await auth.authenticate(header(KEY_ID, 'B'.repeat(43)))).toBeUndefined();
    for (const h of [undefined, '', 'Basic abc', `Bearer tf_${KEY_ID}`, `tf_${KEY_ID}.${SECRET}`]) expect(await auth.authenticate(h)).toBeUndefined();
  });

  it('revoked in another container: still works here within the TTL, refused after it; forget() refuses at once', async () => {
    const clock = new ManualClock();
    const { store, records } = countingStore();
    const here = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 60 });
    expect(await here.authenticate(header(KEY_ID))).toBeDefined();
    const record = records.get(KEY_ID)!;
    records.delete(KEY_ID);
    clock.advanceSeconds(59);
    expect(await here.authenticate(header(KEY_ID))).toBeDefined();
    clock.advanceSeconds(2);
    expect(await here.authenticate(header(KEY_ID))).toBeUndefined();
    records.set(KEY_ID, record);
    const other = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 60 });
    expect(await other.authenticate(header(KEY_ID))).toBeDefined();
    records.delete(KEY_ID);
    other.forget(KEY_ID);
    expect(await other.authenticate(header(KEY_ID))).toBeUndefined();
  });

  it('records a use at most once a minute per key, and a failing record never fails the request', async () => {
    const clock = new ManualClock();
    const { store, touches } = countingStore();
    const auth = new ApiKeyAuthenticator({ apiKeys: store, clock }, { ttlSeconds: 300 });
    for (let s = 0; s < 180; s += 10) {
      await auth.authenticate(header(KEY_ID));
      clock.advanceSeconds(10);
    }
    expect(touches.map((ms) => ms - touches[0]!)).toEqual([0, 60_000, 120_000]);
    const failing = new ApiKeyAuthenticator({ apiKeys: { ...store, touch: () => Promise.reject(new Error('throttled')) }, clock }, { ttlSeconds: 60 });
    expect(await failing.authenticate(header(KEY_ID))).toEqual({ tenantId: 'tn_a', scope: 'admin', keyId: KEY_ID, keyName: 'ops' });
  });
});
