/**
 * Emitting security events: recorded first (the audit trail doubles as the outbox), then
 * published. If publishing fails the event stays pending and the relay publishes it later:
 * nothing is lost, and a subscriber may see an event twice (its eventId tells them apart).
 */
import type { SecurityEvent, SecurityEventType } from '@twofold/contract/events';
import type { Actor, Attribution, CoreDeps } from './deps';
import { createHash } from 'node:crypto';
import { EventsRefused, publishRecorded } from './events/event-publishing';
import { notifyLockout } from './events/lockout-notice';
import type { ChallengeStore, UserReader } from './ports';

export { EventsRefused, publishRecorded } from './events/event-publishing';
import type { LoginFailures } from './records';

export interface NewEvent {
  type: SecurityEventType;
  tenantId: string;
  userId: string | null;
  actor?: Actor;
  detail?: SecurityEvent['detail'];
}

/** At this many unused recovery codes or fewer, `recovery_codes.low` tells the client app to nudge the user (the overview counts 1-2 as low, 0 as none). */
export const LOW_RECOVERY_CODES = 2;

/** What emitting an event takes: the outbox records it, the publisher sends it. */
export type EmitDeps = Pick<CoreDeps, 'clock' | 'random' | 'outbox' | 'publisher'>;

/** Events as they are recorded: with an id (subscribers tell repeats apart by it) and a time. */
export function stampEvents(deps: Pick<CoreDeps, 'clock' | 'random'> & Attribution, events: NewEvent[]): SecurityEvent[] {
  // what an admin did names the API key it was done with
  const byKey: SecurityEvent['detail'] = deps.actingKey ? { byKeyId: deps.actingKey.keyId, byKeyName: deps.actingKey.name } : {};
  const at = new Date(deps.clock.nowMs()).toISOString();
  return events.map((e) => ({
    eventId: `ev_${Buffer.from(deps.random.bytes(12)).toString('base64url')}`,
    type: e.type,
    tenantId: e.tenantId,
    userId: e.userId,
    at,
    actor: e.actor ?? 'user',
    detail: e.actor === 'admin' ? { ...e.detail, ...byKey } : (e.detail ?? {}),
  }));
}


/**
 * `user.locked` for a failure window that reached its limit, derived from the committed count:
 * its id is the window's (tenant, user, window number), so that everyone who sees the lock —
 * the failure that reached it, or the relay — records it once, and only who recorded it
 * publishes it (one that died first leaves it pending, for the relay). A locked window keeps its
 * mark for the relay, which tells the user (`notify`: lockout-notice.ts) and then removes it
 * (`'later'` on the login's hot path, which sends no mail). A window that ended without a lock
 * just loses its mark.
 */
export async function settleLock(
  deps: Pick<CoreDeps, 'outbox' | 'publisher'> & { challenges: Pick<ChallengeStore, 'settleLock'> },
  tenantId: string,
  userId: string,
  failures: LoginFailures,
  atMs: number,
  notify: 'later' | ((lock: SecurityEvent) => Promise<unknown>),
): Promise<void> {
  const gen = failures.gen ?? 0;
  if (failures.failures >= failures.maxAttempts) {
    const event: SecurityEvent = {
      eventId: `ev_lock_${createHash('sha256').update(`${tenantId}\n${userId}\n${gen}`).digest('base64url').slice(0, 22)}`,
      type: 'user.locked',
      tenantId,
      userId,
      // the time of the lock itself, the same for whoever records it (the event's key holds it)
      at: new Date(failures.lastAtMs ?? atMs).toISOString(),
      actor: 'system',
      detail: { lockedUntil: new Date(failures.windowEndsAtMs).toISOString() },
    };
    if (await deps.outbox.recordOnce(event)) await publishRecorded(deps, [event]);
    if (notify === 'later') return;
    await notify(event);
  }
  await deps.challenges.settleLock(tenantId, userId, gen);
}

/**
 * Records and publishes events that no user change carries (a tenant's policy change). Events
 * of a change to a user are committed with it instead (see user-change.ts).
 */
export async function emit(deps: EmitDeps, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const full = stampEvents(deps, events);
  await deps.outbox.record(full);
  await publishRecorded(deps, full);
}


/** Times the bus may refuse one event (once per relay run) before the relay parks it. */
export const MAX_PUBLISH_ATTEMPTS = 5;

export interface RelayResult {
  published: number;
  /** Refused by the bus this run, tried again next run. */
  refused?: number;
  /** Refused MAX_PUBLISH_ATTEMPTS times: out of the pending index, kept in the events table (the audit trail) with why. */
  parked?: { eventId: string; type: string; tenantId: string; attempts: number; reason: string }[];
}

/**
 * Publishes what is still pending, oldest first, in batches. One event the bus keeps refusing
 * (a poison event) does not hold the others back: what the bus took is marked published, a
 * refused event is skipped for the rest of the run and counted, and after MAX_PUBLISH_ATTEMPTS
 * runs it is parked. A bus that cannot be reached at all fails the run (the events wait).
 */
/** The relay: the outbox and the bus; with the lock windows (challenges, clock), also the lockout notice's users, tenant and email. */
export type RelayDeps = Pick<CoreDeps, 'outbox' | 'publisher'> &
  Partial<Pick<CoreDeps, 'clock' | 'tenant' | 'email'>> & { challenges?: Pick<ChallengeStore, 'pendingLocks' | 'settleLock'>; users?: UserReader };

export async function relayPendingEvents(
  deps: RelayDeps,
  options: { batch?: number; maxBatches?: number } = {},
): Promise<RelayResult> {
  const batch = options.batch ?? 10; // EventBridge takes at most 10 entries per PutEvents
  // first the marked failure windows: a lock's user.locked (once, if no request recorded it) and its notice to the user
  const { challenges, clock, users, tenant } = deps;
  if (challenges && clock) {
    if (!users || !tenant) throw new Error('settling lock windows needs users and tenant (the lockout notice)');
    const noticeDeps = { ...deps, users, tenant };
    const notify = (lock: SecurityEvent) => notifyLockout(noticeDeps, lock);
    const nowMs = clock.nowMs();
    for (const { tenantId, userId, failures } of await challenges.pendingLocks(100)) {
      // a window still open and under its limit may lock yet: it keeps its mark
      if (failures.failures >= failures.maxAttempts || failures.windowEndsAtMs <= nowMs) await settleLock({ ...deps, challenges }, tenantId, userId, failures, nowMs, notify);
    }
  }
  const result: RelayResult = { published: 0 };
  const skipped = new Set<string>();
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const asked = batch + skipped.size;
    const page = await deps.outbox.pending(asked);
    const pending = page.filter((e) => !skipped.has(e.eventId));
    if (pending.length === 0) break;
    let refused: EventsRefused['refused'] = [];
    try {
      await deps.publisher.publish(pending);
    } catch (error) {
      if (!(error instanceof EventsRefused)) throw error;
      refused = error.refused;
    }
    const refusedIds = new Set(refused.map((r) => r.eventId));
    const taken = pending.filter((e) => !refusedIds.has(e.eventId));
    await deps.outbox.markPublished(taken);
    result.published += taken.length;
    for (const { eventId, reason } of refused) {
      const event = pending.find((e) => e.eventId === eventId);
      if (!event) continue;
      skipped.add(eventId);
      const outcome = await deps.outbox.publishRefused(event, reason, MAX_PUBLISH_ATTEMPTS);
      if (outcome.parked) (result.parked ??= []).push({ eventId, type: event.type, tenantId: event.tenantId, attempts: outcome.attempts, reason });
      else result.refused = (result.refused ?? 0) + 1;
    }
    if (page.length < asked) break; // nothing more is pending
  }
  return result;
}
