/**
 * The scheduled recount: overview counters that drifted (edited by hand, restored from a
 * backup) are put back to the count of the users' summaries by the scheduled job, which logs
 * what it repaired; counters that are right are left alone.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '@twofold/runtime';
import { enrolTotp, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
  await enrolTotp(t, t.app, 'counted-1');
  await enrolTotp(t, t.app, 'counted-2');
  await t.app('PUT', '/v1/users/counted-3', { roles: ['admin'] });
});
afterAll(() => t?.stop());

describe('the overview recount', () => {
  it('repairs drifted counters at the next scheduled run and says so in a log line', async () => {
    const right = (await t.admin('GET', '/v1/admin/overview')).body;
    expect(right).toMatchObject({ totalUsers: 3, enrolled: 2, notStarted: 1 });
    // a counter edited by hand
    await t.runtime.deps.stats.add(t.tenant.tenantId, { enrolled: 5, total: -1 });
    expect((await t.admin('GET', '/v1/admin/overview')).body).toMatchObject({ totalUsers: 2, enrolled: 7 });

    const warn = vi.spyOn(logger, 'warn');
    await t.runtime.runGraceExpiry();
    expect((await t.admin('GET', '/v1/admin/overview')).body).toEqual(right);
    const line = warn.mock.calls.find(([message]) => String(message).includes('overview recount repaired'));
    expect(line?.[1]).toMatchObject({ tenantId: t.tenant.tenantId, repairs: expect.arrayContaining([{ counter: 'enrolled', was: 7, now: 2 }, { counter: 'total', was: 2, now: 3 }]) });

    warn.mockClear();
    await t.runtime.runGraceExpiry();
    expect(warn.mock.calls.some(([message]) => String(message).includes('overview recount repaired'))).toBe(false);
    warn.mockRestore();
  });
});
