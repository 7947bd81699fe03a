import type { TenantStats } from '@twofold/core/ports';
import type { MemoryTables } from './memory-tables';

/** A tenant's overview counters (moved by user changes, and here by the recount's repairs); enrollments from the users' summaries. */
export class MemoryTenantStats implements TenantStats {
  constructor(private readonly tables: MemoryTables) {}

  async add(tenantId: string, delta: Record<string, number>): Promise<void> {
    this.tables.addStats(tenantId, delta);
  }

  async read(tenantId: string): Promise<Record<string, number>> {
    return { ...this.tables.stats.get(tenantId) };
  }

  async recentEnrollments(tenantId: string, limit: number) {
    const enrolled: { userId: string; enrolledAtMs: number }[] = [];
    for (const user of this.tables.users.values()) {
      const profile = user.profile;
      const { enrolledAtMs, status } = profile?.summary ?? {};
      if (profile?.fields.tenantId === tenantId && status === 'enrolled' && typeof enrolledAtMs === 'number' && profile.fields.userId !== undefined) {
        enrolled.push({ userId: profile.fields.userId, enrolledAtMs });
      }
    }
    return enrolled.sort((a, b) => b.enrolledAtMs - a.enrolledAtMs).slice(0, limit);
  }
}
