/**
 * Threat: a bad day in production. For each state-changing use case, the N-th DynamoDB call
 * along it fails — before it happens, or after it took effect with the caller told it failed —
 * for every N (enrol, confirm, remove, disable, reset, regenerate, recovery code, lockout, trust
 * and revoke a device, erase a user, import a user), and then the client retries. Never a 500; and after the retry (and a relay run):
 * the last `two_factor.*` event matches the user's state, each active factor has exactly one
 * `factor.added` (or `factor.imported`), no event is there twice, the overview equals a brute-force count of the
 * users, no spent or replaced recovery code works, and a re-enrolment after a reset or disable
 * issues fresh recovery codes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@twofold/contract';
import type { ApiResponse } from '../support/api';
import { oathtool, wrongCodes } from '../support/authenticator';
import { base32Encode } from '../support/base32';
import { FaultInjector, type FaultPoint } from '../support/faults';
import { challengeFor, enrolTotp, startTwofold, type Enrolment, type Twofold } from '../support/twofold';

let t: Twofold;
let faults: FaultInjector;

beforeAll(async () => {
  t = await startTwofold();
  faults = new FaultInjector(t.runtime.deps);
});
afterAll(() => t?.stop());

interface Context {
  userId: string;
  enrolment?: Enrolment;
  challengeId?: string;
  factorId?: string;
  code?: string;
  deviceId?: string;
  recoveryCode?: string;
  /** The TOTP secret a user brings from another system (an import). */
  secret?: string;
}

interface UseCase {
  name: string;
  setup(userId: string): Promise<Context>;
  act(ctx: Context): Promise<ApiResponse>;
  /** What the retry may answer: done now, or found done by the first attempt. */
  retried: number[];
  /** More invariants of this use case, after the retry. */
  check?(ctx: Context): Promise<void>;
}

let serial = 0;
const newUser = (name: string) => `${name}-${++serial}`;

async function enrolled(userId: string): Promise<Context> {
  return { userId, enrolment: await enrolTotp(t, t.app, userId) };
}

/** Moves to the next TOTP step: a fresh code for each login. */
async function freshCode(ctx: Context): Promise<string> {
  t.clock.advanceSeconds(30);
  return oathtool(ctx.enrolment!.secret, t.clock.nowMs());
}

/**
 * Each of the codes is compared and refused at a login of the user's, one challenge for all (a
 * wrong code leaves it pending). The wrong codes lock the user at the policy's limit, and a locked
 * user's codes are not compared at all (423 for any): the codes after the lock would prove nothing,
 * so they are not sent.
 */
async function recoveryCodesRefused(userId: string, codes: string[]) {
  const again = await t.app('POST', `/v1/users/${userId}/challenges`, {});
  if (again.body.challengeId === null) return; // not enrolled: nothing to log in to
  expect(again.status, again.text).toBe(201);
  for (const code of codes) {
    const r = await t.app('POST', `/v1/challenges/${again.body.challengeId}/verify`, { recoveryCode: code });
    expect(r.status, `a spent or replaced recovery code of ${userId} was accepted`).not.toBe(200);
    // compared and wrong (422), or wrong and the one that locked, or the user locked (423): nothing else
    expect(`${r.status} ${r.body.error?.code}`, r.text).toMatch(/^(422 invalid_code|423 locked)$/);
    if (r.status === 423) return;
  }
}

async function reEnrolGetsFreshCodes(ctx: Context) {
  const old = ctx.enrolment?.recoveryCodes ?? [];
  const again = await enrolTotp(t, t.app, ctx.userId);
  expect(again.recoveryCodes.length).toBeGreaterThan(0);
  for (const code of again.recoveryCodes) expect(old).not.toContain(code);
  await recoveryCodesRefused(ctx.userId, old);
}

const useCases: UseCase[] = [
  {
    name: 'enrol: start an authenticator',
    setup: async (userId) => ({ userId }),
    act: (ctx) => t.app('POST', `/v1/users/${ctx.userId}/factors`, { type: 'totp' }),
    retried: [201],
  },
  {
    name: 'enrol: confirm the authenticator',
    setup: async (userId) => {
      const started = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'totp' });
      return { userId, factorId: started.body.factorId, code: await oathtool(started.body.secret, t.clock.nowMs()) };
    },
    act: (ctx) => t.app('POST', `/v1/users/${ctx.userId}/factors/${ctx.factorId}/verify`, { code: ctx.code }),
    retried: [200, 409],
    check: async (ctx) => expect((await t.app('GET', `/v1/users/${ctx.userId}`)).body.status).toBe('enrolled'),
  },
  {
    name: 'remove the last factor',
    setup: async (userId) => {
      const ctx = await enrolled(userId);
      return { ...ctx, factorId: ctx.enrolment!.factorId };
    },
    act: (ctx) => t.admin('DELETE', `/v1/users/${ctx.userId}/factors/${ctx.factorId}`),
    retried: [204, 404],
    check: reEnrolGetsFreshCodes,
  },
  {
    name: 'disable two-factor',
    setup: enrolled,
    act: (ctx) => t.admin('DELETE', `/v1/users/${ctx.userId}/two-factor`),
    retried: [204],
    check: reEnrolGetsFreshCodes,
  },
  {
    name: 'admin reset',
    setup: enrolled,
    act: (ctx) => t.admin('POST', `/v1/admin/users/${ctx.userId}/reset`),
    retried: [204],
    check: reEnrolGetsFreshCodes,
  },
  {
    name: 'regenerate recovery codes',
    setup: enrolled,
    act: (ctx) => t.admin('POST', `/v1/admin/users/${ctx.userId}/recovery-codes`),
    retried: [201],
    check: async (ctx) => {
      await recoveryCodesRefused(ctx.userId, ctx.enrolment!.recoveryCodes.slice(0, 2));
    },
  },
  {
    name: 'spend a recovery code',
    setup: async (userId) => {
      const ctx = await enrolled(userId);
      return { ...ctx, challengeId: await challengeFor(t.app, userId), recoveryCode: ctx.enrolment!.recoveryCodes[0]! };
    },
    act: (ctx) => t.app('POST', `/v1/challenges/${ctx.challengeId}/verify`, { recoveryCode: ctx.recoveryCode }),
    retried: [200, 409],
    check: async (ctx) => {
      await recoveryCodesRefused(ctx.userId, [ctx.recoveryCode!]);
      const used = (await eventsOf(ctx.userId)).filter((e) => e.type === 'recovery_code.used');
      expect(used).toHaveLength(1);
      expect((await t.app('GET', `/v1/users/${ctx.userId}`)).body.recoveryCodesRemaining).toBe(ctx.enrolment!.recoveryCodes.length - 1);
    },
  },
  {
    name: 'the failure that locks',
    setup: async (userId) => {
      const ctx = await enrolled(userId);
      const challengeId = await challengeFor(t.app, userId);
      const [last, ...before] = await wrongCodes(ctx.enrolment!.secret, t.clock.nowMs(), 5);
      for (const code of before) expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })).status).toBe(422);
      return { ...ctx, challengeId, code: last! };
    },
    act: (ctx) => t.app('POST', `/v1/challenges/${ctx.challengeId}/verify`, { code: ctx.code }),
    retried: [422, 423],
    check: async (ctx) => {
      expect((await t.app('GET', `/v1/users/${ctx.userId}`)).body.lockedUntil).not.toBeNull();
      expect((await eventsOf(ctx.userId)).filter((e) => e.type === 'user.locked')).toHaveLength(1);
    },
  },
  {
    name: 'log in and trust the device',
    setup: async (userId) => {
      const ctx = await enrolled(userId);
      return { ...ctx, challengeId: await challengeFor(t.app, userId), code: await freshCode(ctx) };
    },
    act: (ctx) => t.app('POST', `/v1/challenges/${ctx.challengeId}/verify`, { code: ctx.code, rememberDevice: true }),
    retried: [200, 409],
    check: async (ctx) => {
      const devices = (await t.app('GET', `/v1/users/${ctx.userId}/devices`)).body.devices as unknown[];
      expect(devices.length).toBeLessThanOrEqual(1);
      expect((await eventsOf(ctx.userId)).filter((e) => e.type === 'device.trusted')).toHaveLength(devices.length);
    },
  },
  {
    name: 'revoke a trusted device',
    setup: async (userId) => {
      const ctx = await enrolled(userId);
      const challengeId = await challengeFor(t.app, userId);
      const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await freshCode(ctx), rememberDevice: true });
      expect(r.status).toBe(200);
      const [device] = (await t.app('GET', `/v1/users/${userId}/devices`)).body.devices as { deviceId: string }[];
      return { ...ctx, deviceId: device!.deviceId };
    },
    act: (ctx) => t.app('DELETE', `/v1/users/${ctx.userId}/devices/${ctx.deviceId}`),
    retried: [204, 404],
    check: async (ctx) => {
      expect((await t.app('GET', `/v1/users/${ctx.userId}/devices`)).body.devices).toEqual([]);
      expect((await eventsOf(ctx.userId)).filter((e) => e.type === 'device.revoked')).toHaveLength(1);
    },
  },
  {
    name: 'erase a user',
    setup: enrolled,
    act: (ctx) => t.app('DELETE', `/v1/users/${ctx.userId}`),
    retried: [204, 404],
    check: async (ctx) => {
      expect((await t.app('GET', `/v1/users/${ctx.userId}`)).status).toBe(404);
      // nothing of theirs is left in the audit trail but the one user.deleted
      expect((await eventsOf(ctx.userId)).map((e) => e.type)).toEqual(['user.deleted']);
      // and the same id enrols from scratch, with fresh codes
      await reEnrolGetsFreshCodes(ctx);
    },
  },
  {
    name: 'import a user',
    setup: async (userId) => ({ userId, secret: base32Encode(randomBytes(20)) }),
    act: (ctx) => t.admin('POST', '/v1/admin/imports', { users: [{ userId: ctx.userId, email: `${ctx.userId}@example.com`, factors: [{ type: 'totp', secret: ctx.secret }] }] }),
    retried: [200],
    check: async (ctx) => {
      const user = (await t.app('GET', `/v1/users/${ctx.userId}`)).body;
      expect(user.status).toBe('enrolled');
      expect(user.factors).toHaveLength(1);
      expect((await eventsOf(ctx.userId)).filter((e) => e.type === 'factor.imported')).toHaveLength(1);
      // and a third import finds all of it there
      const again = await t.admin('POST', '/v1/admin/imports', { users: [{ userId: ctx.userId, email: `${ctx.userId}@example.com`, factors: [{ type: 'totp', secret: ctx.secret }] }] });
      expect(again.body).toEqual({ imported: 0, unchanged: 1, failed: [] });
      const challengeId = await challengeFor(t.app, ctx.userId);
      t.clock.advanceSeconds(30);
      expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(ctx.secret!, t.clock.nowMs()) })).status).toBe(200);
    },
  },
];

/** The user's events as recorded (the audit trail), oldest first. */
async function eventsOf(userId: string): Promise<SecurityEvent[]> {
  const { events } = await t.runtime.deps.outbox.list(t.tenant.tenantId, { userId, limit: 100 });
  return [...events].reverse();
}

async function checkUserInvariants(userId: string) {
  const user = await t.app('GET', `/v1/users/${userId}`);
  if (user.status === 404) return;
  const events = await eventsOf(userId);
  expect(new Set(events.map((e) => e.eventId)).size, 'an event recorded twice').toBe(events.length);
  const switches = events.filter((e) => e.type === 'two_factor.enabled' || e.type === 'two_factor.disabled').map((e) => e.type);
  for (let i = 1; i < switches.length; i++) expect(switches[i], `two ${switches[i]} in a row`).not.toBe(switches[i - 1]);
  if (user.body.status === 'enrolled') expect(switches.at(-1)).toBe('two_factor.enabled');
  else if (switches.length > 0) expect(switches.at(-1)).toBe('two_factor.disabled');
  for (const factor of (user.body.factors as { factorId: string; status: string }[]).filter((f) => f.status === 'active')) {
    expect(events.filter((e) => (e.type === 'factor.added' || e.type === 'factor.imported') && e.detail.factorId === factor.factorId), `factor.added of ${factor.factorId}`).toHaveLength(1);
  }
  for (const type of ['factor.added', 'factor.imported', 'factor.removed'] as const) {
    const ids = events.filter((e) => e.type === type).map((e) => String(e.detail.factorId));
    expect(new Set(ids).size, `${type} twice for one factor`).toBe(ids.length);
  }
}

/** The overview against a count of every user, one by one. */
async function checkOverview() {
  const users: { status: string; recoveryCodesRemaining: number }[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse = await t.admin('GET', `/v1/admin/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    users.push(...page.body.users);
    cursor = page.body.nextCursor;
  } while (cursor);
  const overview = (await t.admin('GET', '/v1/admin/overview')).body;
  const enrolledUsers = users.filter((u) => u.status === 'enrolled');
  expect(overview).toMatchObject({
    totalUsers: users.length,
    enrolled: enrolledUsers.length,
    pending: users.filter((u) => u.status === 'pending').length,
    notStarted: users.filter((u) => u.status === 'not_started').length,
    recoveryCodes: {
      low: enrolledUsers.filter((u) => u.recoveryCodesRemaining >= 1 && u.recoveryCodesRemaining <= 2).length,
      none: enrolledUsers.filter((u) => u.recoveryCodesRemaining === 0).length,
    },
  });
}

describe.each(useCases)('$name', (useCase) => {
  it('fails at every DynamoDB call, before or after it took effect; the retry ends in the same state and events, each once', async () => {
    // how many DynamoDB calls the use case makes, on a healthy store
    const probe = await useCase.setup(newUser('probe'));
    faults.count();
    const healthy = await useCase.act(probe);
    const calls = faults.calls.length;
    faults.disarm();
    expect(healthy.status).toBeLessThan(500);
    expect(calls).toBeGreaterThan(0);

    for (let nth = 1; nth <= calls; nth++) {
      for (const point of ['before', 'after'] as FaultPoint[]) {
        const ctx = await useCase.setup(newUser(`n${nth}-${point}`));
        // the audit trail orders events by time: the clock moves between steps (it is injected)
        t.clock.advanceSeconds(1);
        faults.arm(nth, point);
        const first = await useCase.act(ctx);
        const fired = faults.fired;
        faults.disarm();
        const where = `${useCase.name}, call ${nth} (${faults.calls[nth - 1] ?? '?'}) failing ${point}`;
        expect(first.status, `${where}: ${first.text}`).not.toBe(500);
        if (fired && first.status >= 500) expect(first.body.error.code, where).toBe('service_unavailable');
        t.clock.advanceSeconds(1);
        const retry = await useCase.act(ctx);
        expect(useCase.retried, `${where}: the retry answered ${retry.status} ${retry.text}`).toContain(retry.status);
        await t.runtime.relayEvents();
        await checkUserInvariants(ctx.userId);
        await useCase.check?.(ctx);
      }
    }
    await checkOverview();
    // a use case of many calls fails at each of them in turn: minutes on a loaded machine
  }, 180_000);
});
