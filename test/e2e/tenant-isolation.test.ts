/**
 * Another tenant's users, factors and challenges do not exist for a key: tenant A's app and
 * admin keys get 404 for everything of tenant B, even with B's valid codes, and nothing of B
 * changes. The same userId in two tenants is two different people. An admin key may call
 * every app route of its own tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Api } from '../support/api';
import { oathtool } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, type Enrolment, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
/** Tenant B, made over HTTP as a person trying multi-tenant use would */
let b: { tenantId: string; appKey: string; adminKey: string; app: Api; admin: Api };
let bobOfB: Enrolment;
let bobChallengeOfB: string;

beforeAll(async () => {
  t = await testService({ tenantName: 'Tenant A' });
  const made = await t.anon('POST', '/_local/tenants', { name: 'Tenant B' });
  if (made.status !== 201) throw new Error(`POST /_local/tenants: ${made.status} ${made.text}`);
  b = { ...made.body, app: api(t.baseUrl, made.body.appKey), admin: api(t.baseUrl, made.body.adminKey) };
  bobOfB = await enrolTotp(t, b.app, 'bob');
  bobChallengeOfB = await challengeFor(b.app, 'bob');
});
afterAll(() => t?.stop());

describe('POST /_local/tenants', () => {
  it('made a second tenant with its own id and keys', () => {
    expect(b.tenantId).toMatch(/^[a-z]{1,3}_[A-Za-z0-9_-]{8,64}$/);
    expect(b.tenantId).not.toBe(t.tenant.tenantId);
    expect(new Set([b.appKey, b.adminKey, t.tenant.appKey, t.tenant.adminKey]).size).toBe(4);
  });

  it('refuses a body without a name with 400 invalid_request', async () => {
    const r = await t.anon('POST', '/_local/tenants', {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
  });
});

describe("tenant A's keys and tenant B's things", () => {
  for (const [which, call] of [
    ['app', () => t.app],
    ['admin', () => t.admin],
  ] as const) {
    it(`A's ${which} key: B's user, factors and recovery codes are 404 user_not_found`, async () => {
      for (const path of ['/v1/users/bob', '/v1/users/bob/factors', '/v1/users/bob/recovery-codes']) {
        const r = await call()('GET', path);
        expect(r.status, path).toBe(404);
        expect(r.body.error.code, path).toBe('user_not_found');
      }
    });

    it(`A's ${which} key: B's challenge is 404 challenge_not_found, to GET and to a verify with B's valid code`, async () => {
      const got = await call()('GET', `/v1/challenges/${bobChallengeOfB}`);
      expect(got.status).toBe(404);
      expect(got.body.error.code).toBe('challenge_not_found');
      const verified = await call()('POST', `/v1/challenges/${bobChallengeOfB}/verify`, { code: await oathtool(bobOfB.secret, t.clock.nowMs() + 30_000) });
      expect(verified.status).toBe(404);
      expect(verified.body.error.code).toBe('challenge_not_found');
      const recovered = await call()('POST', `/v1/challenges/${bobChallengeOfB}/verify`, { recoveryCode: bobOfB.recoveryCodes[0] });
      expect(recovered.status).toBe(404);
    });
  }

  it("A's key: B's factor is 404 factor_not_found, to confirm and to remove (admin key, no fresh verification needed)", async () => {
    const confirm = await t.app('POST', `/v1/users/bob/factors/${bobOfB.factorId}/verify`, { code: await oathtool(bobOfB.secret, t.clock.nowMs()) });
    expect(confirm.status).toBe(404);
    expect(confirm.body.error.code).toBe('factor_not_found');
    const removed = await t.admin('DELETE', `/v1/users/bob/factors/${bobOfB.factorId}`);
    expect(removed.status).toBe(404);
    expect(removed.body.error.code).toBe('factor_not_found');
  });

  it("A's admin key cannot turn off or regenerate anything of B's user", async () => {
    expect((await t.admin('DELETE', '/v1/users/bob/two-factor')).status).toBe(404);
    expect((await t.admin('POST', '/v1/users/bob/recovery-codes')).status).toBe(404);
  });

  it("A's key starting a login for bob finds no enrolled bob: not_enrolled, no challenge", async () => {
    const r = await t.app('POST', '/v1/users/bob/challenges', {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ required: false, reason: 'not_enrolled', challengeId: null });
  });

  it("after all that, B's bob is untouched: enrolled, not locked, 8 recovery codes, his challenge still pending and answerable", async () => {
    const user = await b.app('GET', '/v1/users/bob');
    expect(user.body).toMatchObject({ userId: 'bob', status: 'enrolled', recoveryCodesRemaining: 8, lockedUntil: null });
    expect(user.body.factors).toMatchObject([{ factorId: bobOfB.factorId, status: 'active' }]);
    expect((await b.app('GET', `/v1/challenges/${bobChallengeOfB}`)).body).toMatchObject({ status: 'pending', attemptsRemaining: 5 });
    const r = await b.app('POST', `/v1/challenges/${bobChallengeOfB}/verify`, { code: await nextCode(t, bobOfB.secret) });
    expect(r.status).toBe(200);
  });
});

describe('the same userId in two tenants is two people', () => {
  let bobOfA: Enrolment;
  beforeAll(async () => {
    bobOfA = await enrolTotp(t, t.app, 'bob');
  });

  it('each tenant sees its own bob, with its own factor', async () => {
    const a = await t.app('GET', '/v1/users/bob');
    const bb = await b.app('GET', '/v1/users/bob');
    expect(a.body.factors.map((f: { factorId: string }) => f.factorId)).toEqual([bobOfA.factorId]);
    expect(bb.body.factors.map((f: { factorId: string }) => f.factorId)).toEqual([bobOfB.factorId]);
    expect(bobOfA.secret).not.toBe(bobOfB.secret);
  });

  it("B's bob's code and recovery code do not open A's bob's challenge; A's bob's do", async () => {
    const challengeId = await challengeFor(t.app, 'bob');
    t.clock.advanceSeconds(30);
    const now = t.clock.nowMs();
    const foreign = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(bobOfB.secret, now) });
    expect(foreign.status).toBe(422);
    const foreignRecovery = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: bobOfB.recoveryCodes[1] });
    expect(foreignRecovery.status).toBe(422);
    const own = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(bobOfA.secret, now) });
    expect(own.status).toBe(200);
    // A's failures are A's bob's alone
    expect((await b.app('GET', '/v1/users/bob')).body.recoveryCodesRemaining).toBe(8);
  });
});

describe('an admin key works for app routes of its own tenant', () => {
  it('enrol, log in and read state with the admin key alone', async () => {
    const carol = await enrolTotp(t, t.admin, 'carol');
    expect((await t.admin('GET', '/v1/users/carol')).body.status).toBe('enrolled');
    expect((await t.admin('GET', '/v1/users/carol/factors')).status).toBe(200);
    const challengeId = await challengeFor(t.admin, 'carol');
    const r = await t.admin('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, carol.secret) });
    expect(r.status).toBe(200);
    expect((await t.admin('GET', `/v1/challenges/${challengeId}`)).body.status).toBe('verified');
    // and the app key of the same tenant sees the same user
    expect((await t.app('GET', '/v1/users/carol')).body.factors[0].factorId).toBe(carol.factorId);
  });
});
