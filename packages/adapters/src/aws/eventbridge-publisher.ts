import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecurityEvent } from '@twofold/contract/events';
import { EVENT_SOURCE } from '@twofold/contract/event-source';
import { EventsRefused } from '@twofold/core/events';
import type { EventPublisher } from '@twofold/core/ports';

/** Security events onto an EventBridge bus: source `twofold`, detail-type the event's type. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: SecurityEvent[]): Promise<void> {
    const refused: EventsRefused['refused'] = [];
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.type,
            Time: new Date(e.at),
            Resources: [],
            Detail: JSON.stringify(e),
          })),
        }),
      );
      // PutEvents answers entry by entry, in order: the refused ones carry an ErrorCode
      if (out.FailedEntryCount) {
        batch.forEach((e, index) => {
          const entry = out.Entries?.[index];
          if (!entry || entry.ErrorCode || !entry.EventId) refused.push({ eventId: e.eventId, reason: entry?.ErrorCode ?? 'NoEntryResult' });
        });
      }
    }
    if (refused.length > 0) throw new EventsRefused(refused);
  }
}
