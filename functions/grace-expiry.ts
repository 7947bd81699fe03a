/**
 * Scheduled (hourly): applies grace-period deadlines — marks, audits and emails users whose
 * grace period is over, and reminds those whose deadline is 3 days or 1 day away. Stops a
 * little before the Lambda timeout; the next run goes on where this one stopped.
 */
import type { Context } from 'aws-lambda';
import { recountOverview, runGraceExpiry, type GraceRunResult } from '@twofold/core';
import { containerOf, logger, scheduledInvocation, wire } from '@twofold/runtime';
import { metricNames, putMetric } from '@twofold/runtime/metrics';
import { clock, email, grace, outbox, publisher, random, stats, tenant, tenants, users } from '@twofold/runtime/parts';

const dependencies = containerOf(wire({ clock, random, tenant, tenants, users, stats, grace, email, outbox, publisher }));

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
    await recountOverviews();
    return result;
  });

/** The scheduled recount of every tenant's overview counters: a repair is logged (and alarmed on). */
async function recountOverviews(): Promise<void> {
  const deps = dependencies();
  for (const tenantId of await deps.tenants.listTenantIds()) {
    const outcome = await recountOverview(deps, tenantId);
    if (outcome.status === 'repaired') logger.warn('overview recount repaired counters that had drifted', { tenantId, repairs: outcome.repairs });
    if (outcome.status === 'moving') logger.info('overview recount skipped a tenant whose counters moved while it counted (next run)', { tenantId });
  }
}
