import type { SecurityEvent } from '@twofold/contract/events';
import type { GraceDeadlines, GraceDue, GraceNotice } from '@twofold/core/ports';
import type { UserProfile } from '@twofold/core/records';
import { memoryCursor, type MemoryProfile, type MemoryTables } from './memory-tables';

const noticeField: Record<GraceNotice, 'reminded3For' | 'reminded1For' | 'expiredFor' | 'expiredNoticeFor'> = {
  reminder3: 'reminded3For',
  reminder1: 'reminded1For',
  expired: 'expiredFor',
  expiredNotice: 'expiredNoticeFor',
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The job's cursors page through one index, the same for every run. */
const SCOPE = 'grace';

/**
 * Users in the grace index (their profile says so: MemoryUserStore sets it with every change),
 * by deadline; each notice is claimed for one deadline by a check-and-set on the profile.
 */
export class MemoryGraceDeadlines implements GraceDeadlines {
  constructor(private readonly tables: MemoryTables) {}

  async due(horizonMs: number, cursor: string | undefined, limit: number): Promise<{ items: GraceDue[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : memoryCursor.decode(cursor, SCOPE);
    const due = [...this.tables.users]
      .flatMap(([key, user]) => {
        const p = user.profile;
        return p?.graceIndexed && p.graceEndsAtMs !== undefined && p.graceEndsAtMs <= horizonMs ? [{ position: `${iso(p.graceEndsAtMs)} ${key}`, profile: p, graceEndsAtMs: p.graceEndsAtMs }] : [];
      })
      .filter(({ position }) => after === undefined || position > after)
      .sort((a, b) => (a.position < b.position ? -1 : 1));
    const page = due.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(({ profile, graceEndsAtMs }) => dueOf(profile.fields, graceEndsAtMs)),
      nextCursor: last && due.length > page.length ? memoryCursor.encode(SCOPE, last.position) : null,
    };
  }

  async claim(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number, event?: SecurityEvent): Promise<boolean> {
    const profile = this.indexed(tenantId, userId, graceEndsAtMs);
    const field = noticeField[notice];
    if (!profile || profile.fields[field] === iso(graceEndsAtMs)) return false;
    profile.fields[field] = iso(graceEndsAtMs);
    // the expiry notice sent: out of the index too
    if (notice === 'expiredNotice') profile.graceIndexed = false;
    // the mark and its event: together
    if (event) this.tables.putEvent(event);
    return true;
  }

  async release(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number): Promise<void> {
    const profile = this.tables.user(tenantId, userId)?.profile;
    const field = noticeField[notice];
    if (!profile || profile.graceEndsAtMs !== graceEndsAtMs || profile.fields[field] !== iso(graceEndsAtMs)) return;
    delete profile.fields[field];
    if (notice === 'expiredNotice') profile.graceIndexed = true;
  }

  async forget(tenantId: string, userId: string, graceEndsAtMs: number): Promise<void> {
    const profile = this.tables.user(tenantId, userId)?.profile;
    if (profile && profile.graceEndsAtMs === graceEndsAtMs && profile.fields.expiredFor === iso(graceEndsAtMs)) profile.graceIndexed = false;
  }

  async requestBackfill(tenantId: string, requestedAtMs: number): Promise<void> {
    // a newer request replaces an unfinished one (and its cursor): it starts over with the newer policy
    this.tables.backfills.set(tenantId, { requestedAtMs });
  }

  async backfills(): Promise<{ tenantId: string; requestedAtMs: number; cursor?: string }[]> {
    return [...this.tables.backfills].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tenantId, b]) => ({ tenantId, ...b }));
  }

  async saveBackfillCursor(tenantId: string, requestedAtMs: number, cursor: string): Promise<void> {
    const backfill = this.tables.backfills.get(tenantId);
    if (backfill?.requestedAtMs === requestedAtMs) backfill.cursor = cursor;
  }

  async finishBackfill(tenantId: string, requestedAtMs: number): Promise<void> {
    if (this.tables.backfills.get(tenantId)?.requestedAtMs === requestedAtMs) this.tables.backfills.delete(tenantId);
  }

  /** The profile, if it is in the index for this deadline. */
  private indexed(tenantId: string, userId: string, graceEndsAtMs: number): MemoryProfile | undefined {
    const profile = this.tables.user(tenantId, userId)?.profile;
    return profile?.graceIndexed && profile.graceEndsAtMs === graceEndsAtMs ? profile : undefined;
  }
}

function dueOf(fields: Partial<UserProfile>, graceEndsAtMs: number): GraceDue {
  const { tenantId = '', userId = '', email, reminded3For, reminded1For, expiredFor, expiredNoticeFor } = fields;
  return {
    tenantId,
    userId,
    graceEndsAtMs,
    ...(email !== undefined ? { email } : {}),
    ...(reminded3For !== undefined ? { reminded3For } : {}),
    ...(reminded1For !== undefined ? { reminded1For } : {}),
    ...(expiredFor !== undefined ? { expiredFor } : {}),
    ...(expiredNoticeFor !== undefined ? { expiredNoticeFor } : {}),
  };
}
