/**
 * One contract for every SendThrottle: each limit (per user, per destination, per tenant) holds
 * exactly under 30 parallel takes; a refusal counts nothing and says which limit; a release gives
 * a take back; the previous hour still counts in part (the sliding hour); erasure forgets the
 * user's own counts. (The Dynamo adapter's shards: send-throttle.sharded.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendLimits } from '@twofold/core';
import { storeImplementations, unique, type Stores } from '../support/stores';

const HOUR_MS = 3_600_000;
const ON_THE_HOUR = Date.UTC(2026, 11, 2, 10, 0, 0);
const limits = (over: Partial<SendLimits> = {}): SendLimits => ({ perUserPerHour: 100, perDestinationPerHour: 100, perTenantPerHour: 1000, ...over });

describe.each(storeImplementations)('SendThrottle contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  const take = (tenantId: string, userId: string, destinationKey: string, l: SendLimits, nowMs = ON_THE_HOUR + 60_000) => s.throttle.take({ tenantId, userId, destinationKey, nowMs, limits: l });

  it('holds each limit exactly under 30 parallel takes, refusing by the limit reached', async () => {
    const tenant = unique('tn_');
    const user = await Promise.all(Array.from({ length: 30 }, (_, i) => take(tenant, 'alice', `d${i}`, limits({ perUserPerHour: 5 }))));
    expect(user.filter((o) => o.allowed)).toHaveLength(5);
    expect(user.filter((o) => !o.allowed).every((o) => !o.allowed && o.scope === 'user' && o.retryAfterSeconds === 3540)).toBe(true);
    const destination = await Promise.all(Array.from({ length: 30 }, (_, i) => take(tenant, `u${i}`, 'one-phone', limits({ perDestinationPerHour: 4 }))));
    expect(destination.filter((o) => o.allowed)).toHaveLength(4);
    expect(destination.find((o) => !o.allowed)).toMatchObject({ scope: 'destination' });
    const other = unique('tn_');
    const tenantWide = await Promise.all(Array.from({ length: 30 }, (_, i) => take(other, `u${i}`, `d${i}`, limits({ perTenantPerHour: 7 }))));
    expect(tenantWide.filter((o) => o.allowed)).toHaveLength(7);
    expect(tenantWide.find((o) => !o.allowed)).toMatchObject({ scope: 'tenant' });
  });

  it('a refusal counts nothing, a release gives a take back, and erasure forgets the user', async () => {
    const tenant = unique('tn_');
    const l = limits({ perUserPerHour: 2, perDestinationPerHour: 2 });
    const first = await take(tenant, 'bob', 'p1', l);
    await take(tenant, 'bob', 'p1', l);
    expect(await take(tenant, 'bob', 'p1', l)).toMatchObject({ allowed: false, scope: 'user' });
    // the refused take did not count on the destination: another user still gets its last one
    expect((await take(tenant, 'carol', 'p2', l)).allowed).toBe(true);
    if (!first.allowed) throw new Error('the first take was refused');
    await s.throttle.release(first.ticket);
    expect((await take(tenant, 'bob', 'p3', l)).allowed).toBe(true);
    expect((await take(tenant, 'bob', 'p3', l)).allowed).toBe(false);
    await s.throttle.forgetUser(tenant, 'bob');
    expect((await take(tenant, 'bob', 'p4', l)).allowed).toBe(true);
  });

  it("counts the previous hour's sends by the part of it still in the sliding hour", async () => {
    const tenant = unique('tn_');
    const l = limits({ perUserPerHour: 4 });
    for (let i = 0; i < 4; i++) expect((await take(tenant, 'dave', `d${i}`, l, ON_THE_HOUR + 10 * 60_000)).allowed).toBe(true);
    // a quarter into the next hour three quarters of the 4 still count: 3, so one more is allowed
    const quarter = ON_THE_HOUR + HOUR_MS + HOUR_MS / 4;
    expect((await take(tenant, 'dave', 'x1', l, quarter)).allowed).toBe(true);
    expect(await take(tenant, 'dave', 'x2', l, quarter)).toMatchObject({ allowed: false, scope: 'user' });
  });
});
