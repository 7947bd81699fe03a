/**
 * Admin operations over HTTP: list users by status and role a page at a time, unlock, reset,
 * regenerate a user's recovery codes, the overview and the audit trail — admin keys only, one
 * tenant only, every action audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Api } from '../support/api';
import { challengeFor, enrolTotp, nextCode, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let other: { admin: Api; app: Api };
beforeAll(async () => {
  t = await testService();
  const tenant = await t.runtime.createTenant('Other Co');
  other = { admin: api(t.baseUrl, tenant.adminKey), app: api(t.baseUrl, tenant.appKey) };
});
afterAll(() => t.stop());

type User = { userId: string; status: string; roles: string[] };

async function listAll(query: string, limit: number): Promise<{ users: User[]; pages: number }> {
  const users: User[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await t.admin('GET', `/v1/admin/users?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.users.length).toBeLessThanOrEqual(limit);
    users.push(...r.body.users);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  return { users, pages };
}

describe('list users', () => {
  const enrolled = ['u-01', 'u-04', 'u-07'];
  beforeAll(async () => {
    for (let i = 0; i < 12; i++) {
      const userId = `u-${String(i).padStart(2, '0')}`;
      await t.app('PUT', `/v1/users/${userId}`, { roles: i % 3 === 0 ? ['admin'] : ['member'] });
    }
    for (const userId of enrolled) await enrolTotp(t, t.app, userId);
    // a pending factor
    await t.app('POST', '/v1/users/u-02/factors', { type: 'totp' });
    // another tenant's user never shows up
    await other.app('PUT', '/v1/users/u-99', { roles: ['admin'] });
  });

  it('pages through every user exactly once', async () => {
    const { users, pages } = await listAll('', 5);
    expect(users.map((u) => u.userId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `u-${String(i).padStart(2, '0')}`));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('by status', async () => {
    expect((await listAll('&status=enrolled', 2)).users.map((u) => u.userId).sort()).toEqual(enrolled);
    expect((await listAll('&status=pending', 2)).users.map((u) => u.userId)).toEqual(['u-02']);
    expect((await listAll('&status=not_started', 4)).users).toHaveLength(8);
  });

  it('by role, and by role and status', async () => {
    expect((await listAll('&role=admin', 3)).users.map((u) => u.userId).sort()).toEqual(['u-00', 'u-03', 'u-06', 'u-09']);
    expect((await listAll('&role=member&status=enrolled', 3)).users.map((u) => u.userId).sort()).toEqual(['u-01', 'u-04', 'u-07']);
  });

  it('a bad status, limit or cursor is 400; a cursor of another tenant is refused', async () => {
    expect((await t.admin('GET', '/v1/admin/users?status=asleep')).status).toBe(400);
    expect((await t.admin('GET', '/v1/admin/users?limit=1000')).status).toBe(400);
    expect((await t.admin('GET', '/v1/admin/users?cursor=not-a-cursor')).status).toBe(400);
    const mine = (await t.admin('GET', '/v1/admin/users?limit=1')).body.nextCursor as string;
    const r = await other.admin('GET', `/v1/admin/users?cursor=${encodeURIComponent(mine)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
  });

  it('needs an admin key: 403 with an app key, 401 without one', async () => {
    expect((await t.app('GET', '/v1/admin/users')).status).toBe(403);
    expect((await t.anon('GET', '/v1/admin/users')).status).toBe(401);
    for (const [method, path] of [
      ['POST', '/v1/admin/users/u-01/unlock'],
      ['POST', '/v1/admin/users/u-01/reset'],
      ['POST', '/v1/admin/users/u-01/recovery-codes'],
      ['GET', '/v1/admin/overview'],
      ['GET', '/v1/admin/audit'],
    ] as const) {
      const r = await t.app(method, path);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
  });
});

describe('unlock, reset, regenerate', () => {
  let secret: string;
  beforeAll(async () => {
    ({ secret } = await enrolTotp(t, t.app, 'lou'));
  });

  it('unlock lifts a lockout at once', async () => {
    const challengeId = await challengeFor(t.app, 'lou');
    for (let i = 0; i < 5; i++) await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: '000000' });
    expect((await t.app('GET', '/v1/users/lou')).body.lockedUntil).not.toBeNull();
    expect((await t.admin('POST', '/v1/admin/users/lou/unlock')).status).toBe(204);
    expect((await t.app('GET', '/v1/users/lou')).body.lockedUntil).toBeNull();
    const code = await nextCode(t, secret);
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'lou')}/verify`, { code })).status).toBe(200);
  });

  it('regenerate gives the user a new set; the old codes stop working', async () => {
    const r = await t.admin('POST', '/v1/admin/users/lou/recovery-codes');
    expect(r.status).toBe(201);
    expect(r.body.recoveryCodes).toHaveLength(8);
    const challengeId = await challengeFor(t.app, 'lou');
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: r.body.recoveryCodes[0] })).status).toBe(200);
  });

  it('reset removes factors, recovery codes, devices and the lock: the user enrolls again', async () => {
    const code = await nextCode(t, secret);
    const verified = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'lou')}/verify`, { code, rememberDevice: true });
    expect(verified.body.deviceToken).toBeTruthy();
    expect((await t.admin('POST', '/v1/admin/users/lou/reset')).status).toBe(204);
    const user = (await t.app('GET', '/v1/users/lou')).body;
    expect(user).toMatchObject({ status: 'not_started', factors: [], recoveryCodesRemaining: 0, lockedUntil: null });
    expect((await t.app('GET', '/v1/users/lou/devices')).body.devices).toEqual([]);
    expect((await t.app('POST', '/v1/users/lou/challenges', {})).body).toMatchObject({ required: false, reason: 'not_enrolled' });
    await enrolTotp(t, t.app, 'lou');
  });

  it('another tenant, or an unknown user: 404', async () => {
    for (const path of ['/v1/admin/users/lou/unlock', '/v1/admin/users/lou/reset', '/v1/admin/users/lou/recovery-codes']) {
      const r = await other.admin('POST', path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('user_not_found');
    }
    expect((await t.admin('POST', '/v1/admin/users/nobody/reset')).status).toBe(404);
  });

  it('the audit trail holds every admin action, newest first, with the admin as actor; paged; per user', async () => {
    const all = (await t.admin('GET', '/v1/admin/audit?userId=lou&limit=100')).body.events as { type: string; actor: string; at: string; userId: string }[];
    const byAdmin = all.filter((e) => e.actor === 'admin').map((e) => e.type);
    // the reset's three events share a millisecond: their order among themselves is not defined
    expect(byAdmin.slice(0, 3).sort()).toEqual(['device.revoked', 'two_factor.disabled', 'user.reset']);
    expect(byAdmin.slice(3)).toEqual(['recovery_codes.regenerated', 'user.unlocked']);
    expect(all.every((e) => e.userId === 'lou')).toBe(true);
    expect([...all.map((e) => e.at)]).toEqual([...all.map((e) => e.at)].sort().reverse());

    const firstPage = (await t.admin('GET', '/v1/admin/audit?userId=lou&limit=2')).body;
    expect(firstPage.events).toHaveLength(2);
    const second = (await t.admin('GET', `/v1/admin/audit?userId=lou&limit=2&cursor=${encodeURIComponent(firstPage.nextCursor)}`)).body;
    expect(second.events[0]).toEqual(all[2]);
    // the other tenant's trail does not have them
    expect((await other.admin('GET', '/v1/admin/audit?userId=lou')).body.events).toEqual([]);
  });
});

describe('overview', () => {
  it('counts as the contract says', async () => {
    const r = await other.admin('GET', '/v1/admin/overview');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      totalUsers: 1,
      enrolled: 0,
      pending: 0,
      notStarted: 1,
      enrollmentRate: 0,
      recoveryCodes: { low: 0, none: 0 },
      smsOnly: 0,
      recentEnrollments: [],
      rolesWithoutTwoFactor: [{ role: 'admin', users: 1 }],
    });
    await enrolTotp(t, other.app, 'u-99');
    const after = (await other.admin('GET', '/v1/admin/overview')).body;
    expect(after).toMatchObject({ totalUsers: 1, enrolled: 1, notStarted: 0, enrollmentRate: 1, rolesWithoutTwoFactor: [] });
    expect(after.recentEnrollments).toEqual([{ userId: 'u-99', enrolledAt: new Date(t.clock.nowMs()).toISOString() }]);
  });
});
