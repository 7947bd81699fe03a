/**
 * The per-container bucket of core/tenancy/tenant-quota.ts with a census in memory: N containers that
 * know each other serve the quota together, not N times it; an idle second keeps the estimate;
 * a failing census fails no request. (End to end, on DynamoDB Local: test/e2e/tenant-quota.noisy-neighbour.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { DomainError, TenantAdmission, type ContainerCensus } from '@twofold/core';
import { ManualClock } from '../support/fakes';

class MemoryCensus implements ContainerCensus {
  readonly counts = new Map<string, Set<string>>();
  failing = false;
  async checkIn(tenantId: string, containerId: string, second: number) {
    if (this.failing) throw new Error('census down');
    const key = (s: number) => `${tenantId}#${s}`;
    const now = this.counts.get(key(second)) ?? new Set<string>();
    now.add(containerId);
    this.counts.set(key(second), now);
    return { previous: this.counts.get(key(second - 1))?.size ?? 0, current: now.size };
  }
}

const quota = { requestsPerSecond: 20, burst: 40 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function served(admission: TenantAdmission, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await admission.admit('t1');
      ok++;
    } catch (error) {
      expect((error as DomainError).code).toBe('tenant_rate_limited');
      expect((error as DomainError).fields.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  }
  return ok;
}

describe('tenant admission', () => {
  it('three containers that have counted each other serve the quota together: 20/s, burst 40 in all', async () => {
    const clock = new ManualClock(1_000_000);
    const census = new MemoryCensus();
    const containers = ['a', 'b', 'c'].map((id) => new TenantAdmission({ census, clock, quotaOf: async () => quota }, id));
    // a second in which each serves the tenant, then the next: each has read the others' check-ins
    for (const c of containers) await served(c, 1);
    clock.advanceSeconds(1);
    for (const c of containers) await served(c, 1);
    await settle();
    clock.advanceSeconds(10); // the buckets fill to their share of the burst
    let total = 0;
    for (const c of containers) total += await served(c, 100);
    expect(total).toBeGreaterThanOrEqual(39);
    expect(total).toBeLessThanOrEqual(42);
    await settle();
    // one more second: its share of the rate each, 20 in all
    clock.advanceSeconds(1);
    total = 0;
    for (const c of containers) total += await served(c, 100);
    expect(total).toBeGreaterThanOrEqual(19);
    expect(total).toBeLessThanOrEqual(21);
  });

  it('one container alone serves the whole quota; a failing census fails no request and keeps the estimate', async () => {
    const clock = new ManualClock(5_000_000);
    const census = new MemoryCensus();
    const admission = new TenantAdmission({ census, clock, quotaOf: async () => quota }, 'solo');
    await served(admission, 1);
    clock.advanceSeconds(10);
    expect(await served(admission, 100)).toBe(40);
    census.failing = true;
    clock.advanceSeconds(1);
    expect(await served(admission, 100)).toBe(20);
  });
});
