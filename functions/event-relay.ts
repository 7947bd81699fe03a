/**
 * Scheduled (every minute): publishes security events that could not be published when they
 * happened. The outbox keeps them until EventBridge has taken them, so none is lost.
 */
import { relayPendingEvents } from '@twofold/core';
import { containerOf, logger, wire } from '@twofold/runtime';
import { outbox, publisher } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ outbox, publisher }));

export const handler = async (): Promise<{ published: number }> => {
  const result = await relayPendingEvents(dependencies());
  if (result.published > 0) logger.info('relayed pending security events', result);
  return result;
};
