/**
 * Scheduled (every minute): publishes security events that could not be published when they
 * happened. The outbox keeps them until EventBridge has taken them, so none is lost; one that
 * EventBridge keeps refusing is parked (and logged) so that it does not hold the others back. Each run
 * reports how many waited and how long the oldest has (EMF), even when publishing fails: the
 * "events pending" alarm watches that age.
 */
import { relayPendingEvents, type RelayResult } from '@twofold/core';
import type { Context } from 'aws-lambda';
import { containerOf, logger, scheduledInvocation, wire } from '@twofold/runtime';
import { metricNames, MetricUnit, putMetric } from '@twofold/runtime/metrics';
import { challenges, clock, email, outbox, publisher, tenant, userReader } from '@twofold/runtime/parts';

// challenges: the lock windows to settle; users (read only), tenant and email: the lockout notice (core/events/lockout-notice.ts)
const dependencies = containerOf(wire({ clock, outbox, publisher, challenges, users: userReader, tenant, email }));

export const handler = (_event?: unknown, context?: Context): Promise<RelayResult> => scheduledInvocation('event-relay', context?.awsRequestId, relay);

async function relay(): Promise<RelayResult> {
  const deps = dependencies();
  // the pending index is sorted by time: the first is the oldest
  const [oldest] = await deps.outbox.pending(1);
  const ageSeconds = oldest ? Math.max(0, Math.round((deps.clock.nowMs() - Date.parse(oldest.at)) / 1000)) : 0;
  putMetric(metricNames.oldestPendingEventAgeSeconds, {}, ageSeconds, MetricUnit.Seconds);
  let result: RelayResult | undefined;
  try {
    result = await relayPendingEvents(deps);
  } catch (error) {
    // the bus (or the outbox) could not be reached: the events wait for the next run, which the failed run's alarm tells about
    logger.error('event relay failed: pending security events stay pending', { errorName: (error as Error)?.name ?? 'Error' });
    throw error;
  } finally {
    // those it published, or at least the one it saw when publishing failed
    putMetric(metricNames.eventsPending, {}, Math.max(result?.published ?? 0, oldest ? 1 : 0));
  }
  const { published, refused = 0, parked = [] } = result;
  if (published > 0) logger.info('relayed pending security events', { published });
  if (refused > 0) logger.warn('EventBridge refused security events; they are tried again next run', { refused });
  // ids, types and reasons only: events carry no secret, but the log needs no more
  for (const event of parked) logger.error('security event parked: EventBridge kept refusing it (kept in the events table with parkedAt)', { ...event });
  return result;
}
