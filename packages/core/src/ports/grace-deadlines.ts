import type { SecurityEvent } from '@twofold/contract/events';

/**
 * What the grace-period job claims for a deadline, each once: the two reminders, `expired` (the
 * user is marked and `enforcement.grace_expired` emitted, whatever becomes of the email) and
 * `expiredNotice` (the email telling them; released and retried when it fails).
 */
export type GraceNotice = 'reminder3' | 'reminder1' | 'expired' | 'expiredNotice';

export interface GraceDue {
  tenantId: string;
  userId: string;
  graceEndsAtMs: number;
  email?: string;
  reminded3For?: string;
  reminded1For?: string;
  expiredFor?: string;
  expiredNoticeFor?: string;
}

/**
 * Users whose grace period ends soon or has ended, found by their deadline
 * (never a scan), and the notices sent to them: each claimed with one conditional write, so that
 * runs in parallel or again send a notice once.
 */
export interface GraceDeadlines {
  /** Users in the index with a deadline at or before `horizonMs`, a page at a time. */
  due(horizonMs: number, cursor: string | undefined, limit: number): Promise<{ items: GraceDue[]; nextCursor: string | null }>;
  /** Marks `notice` as sent for this deadline; false when it was already (or the deadline moved). `expiredNotice` also takes the user out of the index. */
  claim(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number, event?: SecurityEvent): Promise<boolean>;
  /** Undoes a claim whose email could not be sent, so that the next run tries again. */
  release(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number): Promise<void>;
  /** Takes out of the index a user already expired for this deadline (an index entry a late summary put back). */
  forget(tenantId: string, userId: string, graceEndsAtMs: number): Promise<void>;
  /** After a policy change, every user of the tenant must be summarised again (deadlines move). */
  requestBackfill(tenantId: string, requestedAtMs: number): Promise<void>;
  backfills(): Promise<{ tenantId: string; requestedAtMs: number; cursor?: string }[]>;
  saveBackfillCursor(tenantId: string, requestedAtMs: number, cursor: string): Promise<void>;
  /** Done, unless a newer policy change asked for another backfill meanwhile. */
  finishBackfill(tenantId: string, requestedAtMs: number): Promise<void>;
}
