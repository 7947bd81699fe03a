/**
 * The scheduled job (hourly in AWS, every minute locally): users whose grace period ended
 * without an active factor are marked required, audited and told by email; users whose
 * deadline is 3 days or 1 day away get a reminder. It first re-summarises the users of tenants
 * whose policy changed (their deadlines moved).
 *
 * Safe to run twice or at once: each notice is claimed with one conditional write before it is
 * sent, so only one run sends it. Resumable: when `shouldStop` says time is up it stops between
 * pages, leaving a backfill cursor behind; whatever it did not reach is still in the index.
 */
import type { CoreDeps } from '../deps';
import { publishRecorded, stampEvents } from '../events';
import type { GraceDue, GraceNotice } from '../ports';
import { syncUser, type ChangeDeps } from './user-change';

const DAY_MS = 86_400_000;
/** Reminders go out this many days before the deadline. */
export const REMINDER_DAYS = [3, 1] as const;
const PAGE = 100;

export interface GraceRunResult {
  /** Users re-summarised after a policy change. */
  resummarised: number;
  reminded: number;
  expired: number;
  /** Emails sent (reminders and expiry notices). */
  notices: number;
  /** false when the run stopped early (time up); the next run goes on from there. */
  complete: boolean;
}

export interface GraceRunOptions {
  /** Asked between pages: true stops the run (a Lambda near its timeout). */
  shouldStop?: () => boolean;
  /** Users handled at once. */
  concurrency?: number;
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What the run takes: the deadlines, the users' summaries, events, and email for the notices. */
export type GraceRunDeps = Pick<CoreDeps, 'grace' | 'email'> & ChangeDeps;

export async function runGraceExpiry(deps: GraceRunDeps, options: GraceRunOptions = {}): Promise<GraceRunResult> {
  const now = deps.clock.nowMs();
  const stop = options.shouldStop ?? (() => false);
  const concurrency = options.concurrency ?? 10;
  const result: GraceRunResult = { resummarised: 0, reminded: 0, expired: 0, notices: 0, complete: true };

  // 1. a policy change moved deadlines: summarise the tenant's users again before acting on any
  const unfinished = new Set<string>();
  for (const backfill of await deps.grace.backfills()) {
    let cursor = backfill.cursor;
    for (;;) {
      if (stop()) {
        unfinished.add(backfill.tenantId);
        result.complete = false;
        break;
      }
      const page = await deps.users.listUsers(backfill.tenantId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      await forEachLimited(page.userIds, concurrency, (userId) => syncUser(deps, backfill.tenantId, userId));
      result.resummarised += page.userIds.length;
      if (!page.nextCursor) {
        await deps.grace.finishBackfill(backfill.tenantId, backfill.requestedAtMs);
        break;
      }
      cursor = page.nextCursor;
      await deps.grace.saveBackfillCursor(backfill.tenantId, backfill.requestedAtMs, cursor);
    }
  }

  // 2. deadlines passed or within the reminder horizon, through the sparse deadline index
  const horizon = now + Math.max(...REMINDER_DAYS) * DAY_MS;
  let cursor: string | undefined;
  do {
    if (stop()) {
      result.complete = false;
      break;
    }
    const page = await deps.grace.due(horizon, cursor, PAGE);
    const actionable = page.items.filter((item) => !unfinished.has(item.tenantId));
    await forEachLimited(actionable, concurrency, (item) => handleDue(deps, item, now, result));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return result;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function handleDue(deps: GraceRunDeps, item: GraceDue, now: number, result: GraceRunResult): Promise<void> {
  const deadline = iso(item.graceEndsAtMs);
  if (item.graceEndsAtMs <= now) {
    // the mark and its event are claimed once, apart from the email: an email that fails is
    // released and retried by the next run, and the event is not emitted again for it
    if (item.expiredFor !== deadline) {
      // the mark and its event in one transaction: a failure between them cannot lose the event
      const [event] = stampEvents(deps, [{ type: 'enforcement.grace_expired', tenantId: item.tenantId, userId: item.userId, actor: 'system', detail: { graceEndsAt: deadline } }]);
      if (!event || !(await deps.grace.claim(item.tenantId, item.userId, 'expired', item.graceEndsAtMs, event))) return;
      result.expired++;
      await publishRecorded(deps, [event]);
    }
    if (item.expiredNoticeFor === deadline || !item.email || !deps.email) return deps.grace.forget(item.tenantId, item.userId, item.graceEndsAtMs);
    if (!(await deps.grace.claim(item.tenantId, item.userId, 'expiredNotice', item.graceEndsAtMs))) return;
    await notify(deps, item, 'expiredNotice', result);
    return;
  }
  const daysLeft = (item.graceEndsAtMs - now) / DAY_MS;
  const notice: GraceNotice | undefined =
    daysLeft <= 1 ? (item.reminded1For === deadline ? undefined : 'reminder1') : item.reminded3For === deadline || item.reminded1For === deadline ? undefined : 'reminder3';
  // a reminder is only an email: without an address or a sender there is nothing to claim
  if (!notice || !item.email || !deps.email) return;
  if (!(await deps.grace.claim(item.tenantId, item.userId, notice, item.graceEndsAtMs))) return;
  result.reminded++;
  await notify(deps, item, notice, result);
}

/** Sends the notice; if the email fails, the claim is released so that the next run tries again. */
async function notify(deps: Pick<CoreDeps, 'grace' | 'email' | 'tenant'>, item: GraceDue, notice: GraceNotice, result: GraceRunResult): Promise<void> {
  if (!item.email || !deps.email) return;
  const tenant = await deps.tenant(item.tenantId);
  const message = graceMessage(tenant.name, notice === 'expiredNotice' ? 'expired' : notice, item.graceEndsAtMs);
  try {
    await deps.email.send({ to: item.email, ...message });
    result.notices++;
  } catch {
    await deps.grace.release(item.tenantId, item.userId, notice, item.graceEndsAtMs);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function graceMessage(tenantName: string, notice: Exclude<GraceNotice, 'expiredNotice'>, graceEndsAtMs: number) {
  const date = new Date(graceEndsAtMs).toUTCString();
  const text =
    notice === 'expired'
      ? `${tenantName} now requires two-factor authentication for your account. The next time you sign in you will be asked to set it up before you can continue.`
      : `${tenantName} requires two-factor authentication for your account. Please set it up before ${date} (${notice === 'reminder1' ? '1 day' : '3 days'} left); after that you will have to set it up when you next sign in.`;
  const subject = notice === 'expired' ? `${tenantName}: two-factor authentication is now required` : `${tenantName}: set up two-factor authentication by ${date}`;
  return { subject, text, html: `<!doctype html><html><body style="font-family:sans-serif"><p>${escapeHtml(text)}</p></body></html>` };
}
