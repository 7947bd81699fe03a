import type { SecurityEvent } from '@twofold/contract/events';
import type { AuditFilter, EventOutbox } from '@twofold/core/ports';
import { eventKey, eventSortKey, memoryCursor, type MemoryEvent, type MemoryTables } from './memory-tables';

/** Events by tenant and time (the audit trail); those still to publish are pending, oldest first across tenants. */
export class MemoryEventOutbox implements EventOutbox {
  constructor(private readonly tables: MemoryTables) {}

  async record(events: SecurityEvent[]): Promise<void> {
    for (const event of events) this.tables.putEvent(event);
  }

  async recordOnce(event: SecurityEvent): Promise<boolean> {
    if (this.tables.events.has(eventKey(event))) return false;
    this.tables.putEvent(event);
    return true;
  }

  async eraseUser(tenantId: string, userId: string, keep: string[]): Promise<void> {
    for (const [key, { event }] of this.tables.events) {
      if (event.tenantId === tenantId && event.userId === userId && !keep.includes(event.type)) this.tables.events.delete(key);
    }
  }

  async pending(limit: number): Promise<SecurityEvent[]> {
    return this.sorted([...this.tables.events.values()].filter((e) => e.pending))
      .slice(0, limit)
      .map((e) => structuredClone(e.event));
  }

  async markPublished(events: SecurityEvent[]): Promise<void> {
    for (const event of events) {
      const stored = this.tables.events.get(eventKey(event));
      if (stored) stored.pending = false;
    }
  }

  async publishRefused(event: SecurityEvent, reason: string, maxAttempts: number): Promise<{ attempts: number; parked: boolean }> {
    const stored = this.tables.events.get(eventKey(event));
    // published meanwhile (another relay): nothing to count
    if (!stored?.pending) return { attempts: 0, parked: false };
    stored.publishAttempts += 1;
    stored.lastPublishError = reason;
    // parked: out of the pending list, still in the audit trail
    const parked = stored.publishAttempts >= maxAttempts;
    if (parked) stored.pending = false;
    return { attempts: stored.publishAttempts, parked };
  }

  /** Newest first; `from` and `to` compare with the `<at>#<eventId>` sort key as the Dynamo adapter's range does ([from, to)). */
  async list(tenantId: string, options: AuditFilter & { cursor?: string; limit: number }) {
    const scope = `${tenantId}#${options.userId ?? ''}`;
    const before = options.cursor === undefined ? undefined : memoryCursor.decode(options.cursor, scope);
    const { from, to } = options;
    const inRange = this.sorted(
      [...this.tables.events.values()].filter(({ event }) => {
        const sk = eventSortKey(event);
        return (
          event.tenantId === tenantId &&
          (options.userId === undefined || event.userId === options.userId) &&
          (from === undefined || sk >= from) &&
          (to === undefined || sk <= to) &&
          (before === undefined || sk < before)
        );
      }),
    ).reverse();
    // the limit counts the events read, the type filters them after (a page may hold fewer and still have a cursor)
    const read = inRange.slice(0, options.limit);
    const last = read.at(-1);
    return {
      events: read.filter(({ event }) => !options.type || event.type === options.type).map((e) => structuredClone(e.event)),
      nextCursor: last && inRange.length > read.length ? memoryCursor.encode(scope, eventSortKey(last.event)) : null,
    };
  }

  private sorted(events: MemoryEvent[]): MemoryEvent[] {
    return events.sort((a, b) => (eventSortKey(a.event) < eventSortKey(b.event) ? -1 : eventSortKey(a.event) > eventSortKey(b.event) ? 1 : 0));
  }
}
