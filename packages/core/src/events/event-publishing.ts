/**
 * Publishing what is already recorded: the bus takes the events, the outbox marks them published;
 * what the bus did not take stays pending for the relay (events.ts).
 */
import type { SecurityEvent } from '@twofold/contract/events';
import type { CoreDeps } from '../deps';

/**
 * Publishes events already recorded (committed with the change that caused them). If that
 * fails they stay pending and the relay publishes them later.
 */
export async function publishRecorded(deps: Pick<CoreDeps, 'outbox' | 'publisher'>, events: SecurityEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await deps.publisher.publish(events);
    await deps.outbox.markPublished(events);
  } catch (error) {
    // stays pending: relayPendingEvents publishes it on its next run; what the bus took is not sent twice
    if (error instanceof EventsRefused) {
      const refused = new Set(error.refused.map((r) => r.eventId));
      await deps.outbox.markPublished(events.filter((e) => !refused.has(e.eventId))).catch(() => undefined);
    }
  }
}

/**
 * Thrown by a publisher when the bus took some events of a call and refused others
 * (EventBridge's `FailedEntryCount`): the ones it took are published, these are not.
 */
export class EventsRefused extends Error {
  override name = 'EventsRefused';
  constructor(readonly refused: { eventId: string; reason: string }[]) {
    super(`the event bus refused ${refused.length} event(s)`);
  }
}
