/**
 * Scheduled (every minute): publishes security events that could not be published when they
 * happened. The outbox keeps them until EventBridge has taken them, so none is lost. Each run
 * reports how many waited and how long the oldest has (EMF), even when publishing fails: the
 * "events pending" alarm watches that age.
 */
import { relayPendingEvents } from '@twofold/core';
import { containerOf, logger, wire } from '@twofold/runtime';
import { metricNames, MetricUnit, putMetric } from '@twofold/runtime/metrics';
import { clock, outbox, publisher } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ clock, outbox, publisher }));

export const handler = async (): Promise<{ published: number }> => {
  const deps = dependencies();
  // the pending index is sorted by time: the first is the oldest
  const [oldest] = await deps.outbox.pending(1);
  const ageSeconds = oldest ? Math.max(0, Math.round((deps.clock.nowMs() - Date.parse(oldest.at)) / 1000)) : 0;
  putMetric(metricNames.oldestPendingEventAgeSeconds, {}, ageSeconds, MetricUnit.Seconds);
  let published = 0;
  try {
    const result = await relayPendingEvents(deps);
    published = result.published;
    if (result.published > 0) logger.info('relayed pending security events', result);
    return result;
  } finally {
    // those it published, or at least the one it saw when publishing failed
    putMetric(metricNames.eventsPending, {}, Math.max(published, oldest ? 1 : 0));
  }
};
