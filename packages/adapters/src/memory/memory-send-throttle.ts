import type { SendLimits, SendThrottle, SendTicket, ThrottleOutcome } from '@twofold/core/ports';
import type { MemoryTables } from './memory-tables';

const HOUR_MS = 3_600_000;

const counters = {
  user: (tenantId: string, userId: string) => `USER#${tenantId}#${userId}`,
  destination: (tenantId: string, destinationKey: string) => `DEST#${tenantId}#${destinationKey}`,
  tenant: (tenantId: string) => `TENANT#${tenantId}`,
};

/**
 * The sliding hour as the Dynamo adapter estimates it (this hour's count and the previous
 * hour's, weighted by how much of it is still in the window), per user, destination and tenant.
 * One count per limit is exact here (the Dynamo adapter shards the tenant's count and keeps the
 * sum exact); a take checks all three and counts all three in one step, so a refusal counts nothing.
 */
export class MemorySendThrottle implements SendThrottle {
  constructor(private readonly tables: MemoryTables) {}

  async take({ tenantId, userId, destinationKey, nowMs, limits }: { tenantId: string; userId: string; destinationKey: string; nowMs: number; limits: SendLimits }): Promise<ThrottleOutcome> {
    const hour = Math.floor(nowMs / HOUR_MS);
    const stillInWindow = 1 - (nowMs % HOUR_MS) / HOUR_MS;
    const count = (counter: string, h: number) => this.tables.sends.get(`${counter} H#${h}`) ?? 0;
    const allowance = (counter: string, limit: number) => limit - Math.floor(count(counter, hour - 1) * stillInWindow);
    const retryAfterSeconds = Math.ceil((HOUR_MS - (nowMs % HOUR_MS)) / 1000);
    const user = counters.user(tenantId, userId);
    const destination = counters.destination(tenantId, destinationKey);
    const tenant = counters.tenant(tenantId);
    // refused in the Dynamo adapter's order: the user, the tenant, the destination
    const full = (
      [
        ['user', user, limits.perUserPerHour],
        ['tenant', tenant, limits.perTenantPerHour],
        ['destination', destination, limits.perDestinationPerHour],
      ] as const
    ).find(([, counter, limit]) => count(counter, hour) >= allowance(counter, limit));
    if (full) return { allowed: false, scope: full[0], retryAfterSeconds };
    for (const counter of [user, destination, tenant]) this.tables.sends.set(`${counter} H#${hour}`, count(counter, hour) + 1);
    return { allowed: true, ticket: { tenantId, userId, destinationKey, nowMs } };
  }

  /** Takes one back from each count of the ticket's hour, never below zero. */
  async release(ticket: SendTicket): Promise<void> {
    const hour = Math.floor(ticket.nowMs / HOUR_MS);
    for (const counter of [counters.user(ticket.tenantId, ticket.userId), counters.destination(ticket.tenantId, ticket.destinationKey), counters.tenant(ticket.tenantId)]) {
      const key = `${counter} H#${hour}`;
      const n = this.tables.sends.get(key) ?? 0;
      if (n > 0) this.tables.sends.set(key, n - 1);
    }
  }

  async forgetUser(tenantId: string, userId: string): Promise<void> {
    const prefix = `${counters.user(tenantId, userId)} H#`;
    for (const key of this.tables.sends.keys()) if (key.startsWith(prefix)) this.tables.sends.delete(key);
  }
}
