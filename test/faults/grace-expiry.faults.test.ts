/**
 * Threat: a bad day for the scheduled grace-period job. Its N-th DynamoDB call fails before or
 * after it took effect, for every N of a run that expires one user; the next run (the schedule's
 * retry) finishes the work: the user is marked expired once and `enforcement.grace_expired` is
 * recorded exactly once, whatever failed where.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@twofold/contract';
import { FaultInjector, type FaultPoint } from '../support/faults';
import { startTwofold, type Twofold } from '../support/twofold';

const DAY_S = 86_400;
let t: Twofold;
let faults: FaultInjector;

beforeAll(async () => {
  t = await startTwofold();
  faults = new FaultInjector(t.runtime.deps);
  // everyone must enrol within a day
  const policy = (await t.admin('GET', '/v1/policy')).body;
  expect((await t.admin('PUT', '/v1/policy', { ...policy, enforcement: { ...policy.enforcement, mode: 'all', gracePeriodDays: 1 } })).status).toBe(200);
  await t.runtime.runGraceExpiry();
});
afterAll(() => t?.stop());

const eventsOf = async (userId: string): Promise<SecurityEvent[]> => (await t.runtime.deps.outbox.list(t.tenant.tenantId, { userId, limit: 100 })).events;

/** A user who joined now and whose day of grace has passed; the job runs once on healthy storage first for any other due user. */
async function overdueUser(userId: string) {
  expect((await t.app('PUT', `/v1/users/${userId}`, { email: `${userId}@example.com` })).status).toBe(200);
  t.clock.advanceSeconds(2 * DAY_S);
}

describe('grace expiry under faults', () => {
  it('expires a user once, with one grace_expired, whatever DynamoDB call fails before or after it took effect', async () => {
    await overdueUser('probe');
    faults.count();
    await t.runtime.runGraceExpiry();
    const calls = faults.calls.length;
    faults.disarm();
    expect(calls).toBeGreaterThan(0);
    expect((await eventsOf('probe')).filter((e) => e.type === 'enforcement.grace_expired')).toHaveLength(1);

    for (let nth = 1; nth <= calls; nth++) {
      for (const point of ['before', 'after'] as FaultPoint[]) {
        const userId = `due-${nth}-${point}`;
        await overdueUser(userId);
        faults.arm(nth, point);
        await t.runtime.runGraceExpiry().catch(() => undefined);
        faults.disarm();
        await t.runtime.runGraceExpiry();
        await t.runtime.relayEvents();
        const expired = (await eventsOf(userId)).filter((e) => e.type === 'enforcement.grace_expired');
        expect(expired, `call ${nth} failing ${point}`).toHaveLength(1);
        expect((await t.app('GET', `/v1/users/${userId}`)).body.enforcement).toMatchObject({ state: 'required', required: true });
      }
    }
  });
});
