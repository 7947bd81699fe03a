/** Where security events go: an EventBridge bus, or a local log (its own module: see parts.ts). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '@twofold/adapters/aws/eventbridge-publisher';
import { LocalEventLog } from '@twofold/adapters/local/local-event-log';
import type { Dependencies } from '../dependencies';
import type { Part } from '../wiring';

export const publisher: Part<Dependencies['publisher']> = (w) => {
  if (w.overrides.publisher) return w.overrides.publisher;
  const { events } = w.config;
  return events.kind === 'eventbridge' ? new EventBridgePublisher(new EventBridgeClient({ region: w.config.region }), events.busName) : new LocalEventLog(events.file);
};
