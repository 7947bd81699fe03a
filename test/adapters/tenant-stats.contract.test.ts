/**
 * One contract for every TenantStats: counters move by differences (20 parallel moves all count),
 * per tenant, whether a user change moves them or the recount's repairs (add).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileChange, storeImplementations, unique, type Stores } from '../support/stores';

describe.each(storeImplementations)('TenantStats contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('adds every one of 20 parallel moves, from user changes and repairs, to its own tenant only', async () => {
    const tenant = unique('tn_');
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => s.users.commit(profileChange(tenant, `u${i}`, 0, { stats: { users: 1, pending: 1 } }))),
      ...Array.from({ length: 10 }, () => s.stats.add(tenant, { pending: -1, repaired: 1 })),
    ]);
    expect(await s.stats.read(tenant)).toEqual({ users: 10, pending: 0, repaired: 10 });
    expect(await s.stats.read(unique('tn_'))).toEqual({});
  });
});
