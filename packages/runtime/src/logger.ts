import { Logger } from '@aws-lambda-powertools/logger';

/** JSON logs via Powertools. Never pass a secret, a code, a key or a full phone number. */
export const logger = new Logger({ serviceName: 'twofold' });

/**
 * Starts one invocation's log keys. A container serves many invocations one after another, and
 * the local runtime runs every function in one process, so keys appended for one invocation (a
 * request's routeKey and requestId) would stay on the lines of the next one, a scheduled job's
 * included: each invocation clears them first, and `endInvocation` clears them when it is done.
 */
export function beginInvocation(keys: Record<string, string | undefined>): void {
  logger.resetKeys();
  logger.appendKeys(keys);
}

export function endInvocation(): void {
  logger.resetKeys();
}

/** Runs a scheduled job's invocation with its own log keys and none of the previous invocation's. */
export async function scheduledInvocation<T>(job: string, requestId: string | undefined, run: () => Promise<T>): Promise<T> {
  beginInvocation({ job, requestId });
  try {
    return await run();
  } finally {
    endInvocation();
  }
}
