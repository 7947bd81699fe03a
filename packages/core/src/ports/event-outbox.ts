import type { SecurityEvent } from '@twofold/contract/events';

/** Which of a tenant's events the audit trail shows. */
export interface AuditFilter {
  userId?: string;
  type?: SecurityEvent['type'];
  from?: string;
  to?: string;
}

/**
 * The durable record of security events: the audit trail, and the outbox from which they are
 * published. An event is recorded before it is published, so a publishing failure loses nothing.
 */
export interface EventOutbox {
  record(events: SecurityEvent[]): Promise<void>;
  /** Records an event unless it is there already (by its id and time): whoever sees a derived event records it once. True when this call recorded it. */
  recordOnce(event: SecurityEvent): Promise<boolean>;
  /** Erasure: every event of the user goes but those of `keep` types. */
  eraseUser(tenantId: string, userId: string, keep: string[]): Promise<void>;
  /** Events not yet published, oldest first. */
  pending(limit: number): Promise<SecurityEvent[]>;
  markPublished(events: SecurityEvent[]): Promise<void>;
  /**
   * Counts one refusal of a pending event by the bus; at `maxAttempts` the event is parked: out
   * of the pending list, kept (with the reason) in the events table and the audit trail.
   */
  publishRefused(event: SecurityEvent, reason: string, maxAttempts: number): Promise<{ attempts: number; parked: boolean }>;
  /**
   * A tenant's events, newest first, optionally of one user, of one type, and at or after `from` /
   * before `to` (ISO-8601 UTC times), paged by an opaque cursor. With `type` a page may hold fewer
   * than `limit` events and still have a cursor.
   */
  list(tenantId: string, options: AuditFilter & { cursor?: string; limit: number }): Promise<{ events: SecurityEvent[]; nextCursor: string | null }>;
}
