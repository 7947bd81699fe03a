/**
 * How many containers serve a tenant, counted per one-second window (tenant-quota.ts): a
 * container checks in at most once per window for each tenant it served in it.
 */
export interface ContainerCensus {
  /** Counts `containerId` in window `second` (epoch seconds); answers the tenant's counts of windows second - 1 and second. */
  checkIn(tenantId: string, containerId: string, second: number): Promise<{ previous: number; current: number }>;
}
