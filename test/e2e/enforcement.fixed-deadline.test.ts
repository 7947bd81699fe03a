/**
 * A fixed `enforcement.graceEndsAt` is a deadline for everyone the policy covers ("choose the
 * date until which you want the grace period to last"): someone who joins, or gets an enforced
 * role, after that date must enroll at their next login, and does not get a fresh grace period
 * of `gracePeriodDays`; a date in the past means now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const DAY_SECONDS = 86_400;

let t: Twofold;
beforeAll(async () => {
  t = await testService();
});
afterAll(() => t.stop());

const setPolicy = async (policy: Record<string, unknown>) => {
  const r = await t.admin('PUT', '/v1/policy', policy);
  expect(r.status, r.text).toBe(200);
};
const putUser = async (userId: string, body: Record<string, unknown>) => {
  const r = await t.app('PUT', `/v1/users/${userId}`, body);
  expect(r.status, r.text).toBe(200);
  return r.body;
};
const login = async (userId: string) => (await t.app('POST', `/v1/users/${userId}/challenges`, {})).body;
const isoIn = (days: number) => new Date(t.clock.nowMs() + days * DAY_SECONDS * 1000).toISOString();

describe('a fixed grace deadline', () => {
  it('a user who joins after the date must enroll at their first login (no fresh 7-day grace period)', async () => {
    const deadline = isoIn(2);
    await setPolicy({ enforcement: { mode: 'all', gracePeriodDays: 7, graceEndsAt: deadline } });
    await putUser('early', {});
    expect((await t.app('GET', '/v1/users/early')).body.enforcement).toEqual({ required: true, state: 'grace', graceEndsAt: deadline });
    t.clock.advanceSeconds(3 * DAY_SECONDS);
    const late = await putUser('late-joiner', {});
    expect(late.enforcement).toEqual({ required: true, state: 'required', graceEndsAt: deadline });
    expect(await login('late-joiner')).toMatchObject({ required: true, reason: 'enrollment_required', enrollmentRequired: true, challengeId: null });
    expect(await login('early')).toMatchObject({ required: true, reason: 'enrollment_required' });
  });

  it('a user who gets an enforced role after the date must enroll at once', async () => {
    const deadline = isoIn(1);
    await setPolicy({ enforcement: { mode: 'roles', roles: ['admin'], graceEndsAt: deadline } });
    await putUser('promoted', { roles: ['member'] });
    t.clock.advanceSeconds(5 * DAY_SECONDS);
    expect(await login('promoted')).toMatchObject({ required: false, reason: 'not_enrolled' });
    const user = await putUser('promoted', { roles: ['member', 'admin'] });
    expect(user.enforcement).toMatchObject({ state: 'required', graceEndsAt: deadline });
    expect(await login('promoted')).toMatchObject({ required: true, reason: 'enrollment_required' });
  });

  it('a date in the past means now: everyone covered must enroll at their next login', async () => {
    await putUser('fresh-admin', { roles: ['admin'] });
    await setPolicy({ enforcement: { mode: 'roles', roles: ['admin'], gracePeriodDays: 30, graceEndsAt: isoIn(-1) } });
    expect(await login('fresh-admin')).toMatchObject({ required: true, reason: 'enrollment_required', enrollmentRequired: true });
    await putUser('new-admin', { roles: ['admin'] });
    expect(await login('new-admin')).toMatchObject({ required: true, reason: 'enrollment_required' });
  });

  it('without a fixed date, each user keeps gracePeriodDays from when the policy covered them', async () => {
    await setPolicy({ enforcement: { mode: 'all', gracePeriodDays: 7, graceEndsAt: null } });
    const joined = await putUser('newer', {});
    expect(joined.enforcement.state).toBe('grace');
    expect(await login('newer')).toMatchObject({ required: false, reason: 'not_enrolled' });
  });
});
