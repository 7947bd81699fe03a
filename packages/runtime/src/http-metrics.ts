/**
 * What an HTTP request tells the metrics (runtime/metrics.ts), read from the route that
 * answered, what it answered and the error code it failed with: verifications by method and
 * outcome, lockouts, codes sent by channel, delivery failures. The HTTP layer calls it once
 * per request, so no use case carries metrics code.
 */
import type { ErrorCode } from '@twofold/contract';
import { metricNames, putMetric } from './metrics';

type Channel = 'sms' | 'email';
const channelOf = (value: unknown): Channel | undefined => (value === 'sms' || value === 'email' ? value : undefined);

/** The request body as far as the metrics need it (method, type, recoveryCode): nothing of it is put in a metric but a method. */
type BodyHints = { method?: unknown; type?: unknown; recoveryCode?: unknown };

/** The route each sending operation counts its sends under. */
const sendingRoutes: Record<string, 'challenge' | 'resend' | 'factor'> = {
  createChallenge: 'challenge',
  resendChallenge: 'resend',
  createFactor: 'factor',
};

/** A request that was answered: its operation, its parsed body, and its result. */
export function recordSuccess(operationId: string, body: unknown, result: unknown): void {
  const hints = (body ?? {}) as BodyHints;
  const answer = (result ?? {}) as { method?: unknown; challengeId?: unknown; type?: unknown };
  if (operationId === 'verifyChallenge') {
    putMetric(metricNames.verifications, { method: String(answer.method ?? 'code'), outcome: 'verified' });
    return;
  }
  const route = sendingRoutes[operationId];
  if (!route) return;
  // a factor enrolment sends to the factor's channel; a challenge to its method, when it made one (a recognised device needs none)
  const channel = route === 'factor' ? channelOf(hints.type) : answer.challengeId === null ? undefined : channelOf(answer.method);
  if (channel) putMetric(metricNames.codesSent, { channel, route });
}

/** A request that failed with a domain error code (not a bug: those are the 500s API Gateway counts). */
export function recordFailure(operationId: string | undefined, body: unknown, code: ErrorCode): void {
  const hints = (body ?? {}) as BodyHints;
  if (operationId === 'verifyChallenge') {
    // a refused answer does not say which factor it was for; a recovery code says so in the request
    putMetric(metricNames.verifications, { method: hints.recoveryCode === undefined ? 'code' : 'recovery_code', outcome: code });
  }
  if (code === 'locked') putMetric(metricNames.lockouts, {});
  if (code === 'delivery_failed') putMetric(metricNames.deliveryFailures, { channel: channelOf(hints.method) ?? channelOf(hints.type) ?? 'unknown' });
}
