import type { SecurityEvent } from '@twofold/contract/events';

/**
 * Delivers events to subscribers (EventBridge in AWS). Throws when they were not all accepted:
 * `EventsRefused` (events.ts) naming the refused ones when the bus took the others.
 */
export interface EventPublisher {
  publish(events: SecurityEvent[]): Promise<void>;
}
