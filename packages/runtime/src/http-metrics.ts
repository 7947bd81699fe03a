/**
 * What an HTTP request tells the metrics (runtime/metrics.ts), read from the route that
 * answered, what it answered and the error code it failed with: verifications by method and
 * outcome, lockouts, codes sent by channel, delivery failures. The HTTP layer calls it once
 * per request, so no use case carries metrics code.
 */
import type { ErrorCode } from '@twofold/contract';
import { fieldOf } from './field-of';
import { metricNames, putMetric } from './metrics';

type Channel = 'sms' | 'email';
const channelOf = (value: unknown): Channel | undefined => (value === 'sms' || value === 'email' ? value : undefined);

/** The route each sending operation counts its sends under. */
const sendingRoutes: Record<string, 'challenge' | 'resend' | 'factor'> = {
  createChallenge: 'challenge',
  resendChallenge: 'resend',
  createFactor: 'factor',
};

/** A request that was answered: its operation, its parsed body, and its result. */
// of the request body only its method, type and recoveryCode are read: nothing of it is put in a metric but a method
export function recordSuccess(operationId: string, body: unknown, result: unknown): void {
  if (operationId === 'verifyChallenge') {
    putMetric(metricNames.verifications, { method: String(fieldOf(result, 'method') ?? 'code'), outcome: 'verified' });
    return;
  }
  const route = sendingRoutes[operationId];
  if (!route) return;
  // a factor enrolment sends to the factor's channel; a challenge to its method, when it made one (a recognised device needs none)
  const channel = route === 'factor' ? channelOf(fieldOf(body, 'type')) : fieldOf(result, 'challengeId') === null ? undefined : channelOf(fieldOf(result, 'method'));
  if (channel) putMetric(metricNames.codesSent, { channel, route });
}

/** A request that failed with a domain error code (not a bug: those are the 500s API Gateway counts). */
export function recordFailure(operationId: string | undefined, body: unknown, code: ErrorCode): void {
  if (operationId === 'verifyChallenge') {
    // a refused answer does not say which factor it was for; a recovery code says so in the request
    putMetric(metricNames.verifications, { method: fieldOf(body, 'recoveryCode') === undefined ? 'code' : 'recovery_code', outcome: code });
  }
  if (code === 'locked') putMetric(metricNames.lockouts, {});
  if (code === 'delivery_failed') putMetric(metricNames.deliveryFailures, { channel: channelOf(fieldOf(body, 'method')) ?? channelOf(fieldOf(body, 'type')) ?? 'unknown' });
}
