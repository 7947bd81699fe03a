/**
 * Keeps a user's summary (what the overview counts and what the scheduled job looks up) in step
 * with the user. Run after every change to a user: it reads the user, and if the summary moved
 * it saves the new one — conditional on the version it read, so that of two racing changes the
 * later read wins — then moves the tenant's counters by the difference.
 */
import type { CoreDeps } from './deps';
import { sameSummary, summarise, summaryDelta } from './enforcement';

const iso = (ms: number) => new Date(ms).toISOString();

/** Saves lost to racing writers before giving up (each loser re-reads and tries again). */
const MAX_ATTEMPTS = 8;

/** What keeping a user's summary in step takes. */
export type SyncDeps = Pick<CoreDeps, 'tenant' | 'users' | 'stats'>;

export async function syncUser(deps: SyncDeps, tenantId: string, userId: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
    if (!user.profile) return;
    const next = summarise(tenant, user);
    if (user.summary && sameSummary(user.summary, next)) return;
    // out of the index once the job marked the user for this deadline and sent (or had no address for) the notice
    const deadline = next.graceEndsAtMs === null ? null : iso(next.graceEndsAtMs);
    const done = user.profile.expiredFor === deadline && (user.profile.expiredNoticeFor === deadline || !user.profile.email);
    const inGraceIndex = deadline !== null && !done;
    if (await deps.users.saveSummary(tenantId, userId, next, { expectedVersion: user.summaryVersion ?? 0, inGraceIndex })) {
      const delta = summaryDelta(user.summary, next);
      if (Object.keys(delta).length > 0) await deps.stats.add(tenantId, delta);
      return;
    }
  }
  throw new Error('the user summary kept changing under concurrent writes');
}
