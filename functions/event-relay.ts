/**
 * Scheduled (every minute): publishes security events that could not be published when they
 * happened. The outbox keeps them until EventBridge has taken them, so none is lost.
 */
import { relayPendingEvents } from '@twofold/core';
import { dependencies, logger } from '@twofold/runtime';

export const handler = async (): Promise<{ published: number }> => {
  const result = await relayPendingEvents(dependencies());
  if (result.published > 0) logger.info('relayed pending security events', result);
  return result;
};
