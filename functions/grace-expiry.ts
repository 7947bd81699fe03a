/**
 * Scheduled (hourly): applies grace-period deadlines — marks, audits and emails users whose
 * grace period is over, and reminds those whose deadline is 3 days or 1 day away. Stops a
 * little before the Lambda timeout; the next run goes on where this one stopped.
 */
import type { Context } from 'aws-lambda';
import { runGraceExpiry, type GraceRunResult } from '@twofold/core';
import { containerOf, logger, scheduledInvocation, wire } from '@twofold/runtime';
import { metricNames, putMetric } from '@twofold/runtime/metrics';
import { clock, email, grace, outbox, publisher, random, stats, tenant, users } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ clock, random, tenant, users, stats, grace, email, outbox, publisher }));

/** Time kept back from the Lambda timeout to finish the page in hand. */
const SAFETY_MARGIN_MS = 30_000;

export const handler = (_event: unknown, context?: Context): Promise<GraceRunResult> =>
  scheduledInvocation('grace-expiry', context?.awsRequestId, async () => {
    const result = await runGraceExpiry(dependencies(), {
      shouldStop: () => (context ? context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS : false),
    });
    logger.info('grace-period run', { ...result });
    putMetric(metricNames.graceExpiries, {}, result.expired);
    putMetric(metricNames.graceReminders, {}, result.reminded);
    return result;
  });
