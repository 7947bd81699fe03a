/** Counters per tenant for the overview, moved by differences (never by counting users). */
export interface TenantStats {
  /** Moves counters outside any user change (the recount's repairs). */
  add(tenantId: string, delta: Record<string, number>): Promise<void>;
  read(tenantId: string): Promise<Record<string, number>>;
  /** The latest enrollments, newest first. */
  recentEnrollments(tenantId: string, limit: number): Promise<{ userId: string; enrolledAtMs: number }[]>;
}
