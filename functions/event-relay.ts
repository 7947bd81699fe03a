/**
 * Scheduled (every minute): publishes security events that could not be published when they
 * happened. The outbox keeps them until EventBridge has taken them, so none is lost; one that
 * EventBridge keeps refusing is parked (and logged) so that it does not hold the others back.
 */
import { relayPendingEvents, type RelayResult } from '@twofold/core';
import type { Context } from 'aws-lambda';
import { containerOf, logger, scheduledInvocation, wire } from '@twofold/runtime';
import { outbox, publisher } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ outbox, publisher }));

export const handler = (_event?: unknown, context?: Context): Promise<RelayResult> => scheduledInvocation('event-relay', context?.awsRequestId, relay);

async function relay(): Promise<RelayResult> {
  let result: RelayResult;
  try {
    result = await relayPendingEvents(dependencies());
  } catch (error) {
    // the bus (or the outbox) could not be reached: the events wait for the next run, which the failed run's alarm tells about
    logger.error('event relay failed: pending security events stay pending', { errorName: (error as Error)?.name ?? 'Error' });
    throw error;
  }
  const { published, refused = 0, parked = [] } = result;
  if (published > 0) logger.info('relayed pending security events', { published });
  if (refused > 0) logger.warn('EventBridge refused security events; they are tried again next run', { refused });
  // ids, types and reasons only: events carry no secret, but the log needs no more
  for (const event of parked) logger.error('security event parked: EventBridge kept refusing it (kept in the events table with parkedAt)', { ...event });
  return result;
}
