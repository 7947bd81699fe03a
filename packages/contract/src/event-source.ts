/**
 * EventBridge: every security event is published with this source and its type as
 * `detail-type`. Its own module, so that a publisher imports the name without the event schema
 * (events.ts re-exports it).
 */
export const EVENT_SOURCE = 'twofold';
