/**
 * Emitting security events: recorded first (the audit trail doubles as the outbox), then
 * published. If publishing fails the event stays pending and the relay publishes it later:
 * nothing is lost, and a subscriber may see an event twice (its eventId tells them apart).
 */
import type { SecurityEvent, SecurityEventType } from '@twofold/contract/events';
import type { Actor, CoreDeps } from './deps';

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
export function stampEvents(deps: Pick<CoreDeps, 'clock' | 'random'>, events: NewEvent[]): SecurityEvent[] {
  const at = new Date(deps.clock.nowMs()).toISOString();
  return events.map((e) => ({
    eventId: `ev_${Buffer.from(deps.random.bytes(12)).toString('base64url')}`,
    type: e.type,
    tenantId: e.tenantId,
    userId: e.userId,
    at,
    actor: e.actor ?? 'user',
    detail: e.detail ?? {},
  }));
}

/**
 * Publishes events already recorded (committed with the change that caused them). If that
 * fails they stay pending and the relay publishes them later.
 */
export async function publishRecorded(deps: Pick<CoreDeps, 'outbox' | 'publisher'>, events: SecurityEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await deps.publisher.publish(events);
    await deps.outbox.markPublished(events);
  } catch {
    // stays pending: relayPendingEvents publishes it on its next run
  }
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

/** Publishes what is still pending, oldest first, in batches; returns how many went out. */
export async function relayPendingEvents(deps: Pick<CoreDeps, 'outbox' | 'publisher'>, options: { batch?: number; maxBatches?: number } = {}) {
  const batch = options.batch ?? 10; // EventBridge takes at most 10 entries per PutEvents
  let published = 0;
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const pending = await deps.outbox.pending(batch);
    if (pending.length === 0) break;
    await deps.publisher.publish(pending);
    await deps.outbox.markPublished(pending);
    published += pending.length;
    if (pending.length < batch) break;
  }
  return { published };
}
