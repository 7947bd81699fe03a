/**
 * A tenant's request quota, kept by every container on its own: a token bucket per tenant whose
 * rate and size are the tenant's quota divided by the number of containers serving the tenant,
 * so that together they serve about the quota and never a call more on the request's path.
 *
 * The number of containers comes from a census (the ContainerCensus port: sharded per-tenant
 * counters, one item per shard and second): in each second in which a container serves a tenant
 * it checks in once, off the request's path (the request does not wait for it), and reads the
 * counts of the last complete second and of this one. Only the first request of a tenant in a
 * container waits for its check-in (a cold path: the container knows nothing of the tenant yet).
 *
 * Why these choices (docs/operations.md, "Tenant request quota", has the error bound):
 * - A container new to a tenant fills its bucket with one second of its share, not the whole
 *   burst: containers that start together cannot each hand out a burst before they count each other.
 * - A census window in which nobody served the tenant (it was idle) says nothing about how many
 *   containers there are: the estimate is kept, rather than falling to one and letting every
 *   container serve the whole quota when the tenant comes back.
 * - A census that fails changes nothing and fails no request (the estimate is kept).
 */
import type { TenantQuota } from '@twofold/contract/schemas';
import { fail } from '../errors';
import type { Clock, ContainerCensus } from '../ports';

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** Containers serving the tenant, this one included. */
  containers: number;
  /** The census window this container last checked in for the tenant (epoch seconds). */
  checkedInSecond: number;
  checkingIn: boolean;
}

export interface TenantAdmissionDeps {
  census: ContainerCensus;
  clock: Clock;
  /** The tenant's quota (from the tenant's cached record, or the deployment's default). */
  quotaOf(tenantId: string): Promise<TenantQuota>;
}

/** The buckets of one container. */
export class TenantAdmission {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly deps: TenantAdmissionDeps,
    /** This container's id in the census (random, made at cold start). */
    private readonly containerId: string,
    private readonly maxTenants = 1000,
  ) {}

  /** Serves one request of the tenant, or fails with tenant_rate_limited and the seconds until one would be served. */
  async admit(tenantId: string): Promise<void> {
    const quota = await this.deps.quotaOf(tenantId);
    const bucket = this.buckets.get(tenantId) ?? (await this.firstUse(tenantId, quota));
    const nowMs = this.deps.clock.nowMs();
    const second = Math.floor(nowMs / 1000);
    if (bucket.checkedInSecond < second && !bucket.checkingIn) void this.checkIn(tenantId, bucket, quota, second);
    const { ratePerSecond, size } = shareOf(quota, bucket.containers);
    bucket.tokens = Math.min(size, bucket.tokens + (Math.max(0, nowMs - bucket.updatedMs) / 1000) * ratePerSecond);
    bucket.updatedMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    fail('tenant_rate_limited', undefined, { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) });
  }

  private async firstUse(tenantId: string, quota: TenantQuota): Promise<Bucket> {
    const nowMs = this.deps.clock.nowMs();
    const bucket: Bucket = { tokens: 0, updatedMs: nowMs, containers: 1, checkedInSecond: 0, checkingIn: false };
    await this.checkIn(tenantId, bucket, quota, Math.floor(nowMs / 1000));
    // parallel first requests each made a bucket: the first one kept serves them all
    const kept = this.buckets.get(tenantId);
    if (kept) return kept;
    bucket.tokens = Math.min(shareOf(quota, bucket.containers).size, quota.requestsPerSecond / bucket.containers);
    if (this.buckets.size >= this.maxTenants) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(tenantId, bucket);
    return bucket;
  }

  private async checkIn(tenantId: string, bucket: Bucket, quota: TenantQuota, second: number): Promise<void> {
    bucket.checkingIn = true;
    const wasIn = bucket.checkedInSecond === second - 1;
    // once per window, whether or not the census answers
    bucket.checkedInSecond = second;
    try {
      const counted = await this.deps.census.checkIn(tenantId, this.containerId, second);
      // the last complete window, with this container in it if it served the tenant then; an idle window keeps the estimate
      const previous = counted.previous === 0 ? bucket.containers : counted.previous + (wasIn ? 0 : 1);
      bucket.containers = Math.max(1, previous, counted.current);
      bucket.tokens = Math.min(bucket.tokens, shareOf(quota, bucket.containers).size);
    } catch {
      // the census is advice: without it the estimate stays as it was
    } finally {
      bucket.checkingIn = false;
    }
  }
}

/** One container's share of the quota; its bucket holds at least one request, or it could never serve one. */
function shareOf(quota: TenantQuota, containers: number): { ratePerSecond: number; size: number } {
  return { ratePerSecond: quota.requestsPerSecond / containers, size: Math.max(1, quota.burst / containers) };
}
