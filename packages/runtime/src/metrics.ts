/**
 * Application metrics through Powertools Metrics: CloudWatch embedded metric format (EMF), one
 * JSON line on stdout per data point, which CloudWatch Logs turns into metrics with no API call
 * on the request path. Namespace `Twofold`; the `service` dimension is the deployment's name
 * (POWERTOOLS_SERVICE_NAME, set by the CDK construct). Every dimension value comes from a
 * bounded set (a method, a channel, an error code of the catalogue), never from a user.
 *
 * The dashboard and the alarms of the CDK construct (infra/constructs/observability.ts) read
 * these names: they are the contract between the two.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'Twofold';

export const metricNames = {
  /** Answers to a challenge; dimensions method (totp, sms, email, recovery_code; `code` for a refused code) and outcome (`verified` or the error code). */
  verifications: 'Verifications',
  /** Requests refused because the user is locked out (error code `locked`). */
  lockouts: 'Lockouts',
  /** Codes sent; dimension channel (sms, email) and route (challenge, resend, factor). */
  codesSent: 'CodesSent',
  /** Sends that the provider refused (error code `delivery_failed`); dimension channel. */
  deliveryFailures: 'DeliveryFailures',
  /** Users whose grace period ended in a run of the grace-expiry job. */
  graceExpiries: 'GraceExpiries',
  /** Grace-period reminders emailed in a run. */
  graceReminders: 'GraceReminders',
  /** Security events the relay found still unpublished at the start of a run. */
  eventsPending: 'EventsPending',
  /** How long the oldest unpublished security event has waited, in seconds (0 when none waits). */
  oldestPendingEventAgeSeconds: 'OldestPendingEventAgeSeconds',
} as const;

/** Powertools' Metrics, saying whether its configuration (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV) turned it off. */
class TwofoldMetrics extends Metrics {
  get off(): boolean {
    return this.isDisabled();
  }
}

export const metrics = new TwofoldMetrics({ namespace: METRICS_NAMESPACE });

/** Publishes one data point now, with its own dimensions (beside `service`). */
export function putMetric(name: string, dimensions: Record<string, string>, value = 1, unit: Parameters<Metrics['addMetric']>[1] = MetricUnit.Count): void {
  // turned off (as `npm start` runs): not even the per-point instance
  if (metrics.off) return;
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, unit, value);
}

export { MetricUnit };
