/**
 * One contract for every ContainerCensus: each check-in counts in its second's window and answers
 * the tenant's counts of that window and the one before, every container's (20 in parallel), and
 * no other tenant's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeImplementations, unique, type Stores } from '../support/stores';

const SECOND = Math.floor(Date.UTC(2026, 11, 2, 10, 0, 0) / 1000);

describe.each(storeImplementations)('ContainerCensus contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it("counts each container's check-in in its window, 20 in parallel, and answers this window's and the last one's", async () => {
    const tenant = unique('tn_');
    await Promise.all(Array.from({ length: 3 }, (_, i) => s.census.checkIn(tenant, `c${i}`, SECOND - 1)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.census.checkIn(tenant, `c${i}`, SECOND)));
    expect(await s.census.checkIn(tenant, 'c20', SECOND)).toEqual({ previous: 3, current: 21 });
    expect(await s.census.checkIn(tenant, 'c0', SECOND + 1)).toEqual({ previous: 21, current: 1 });
    expect(await s.census.checkIn(unique('tn_'), 'c0', SECOND)).toEqual({ previous: 0, current: 1 });
  });
});
