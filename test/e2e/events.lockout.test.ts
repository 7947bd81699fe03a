/**
 * `user.locked` is emitted when a lockout starts — by the failure that reaches
 * maxInvalidAttempts (5), not before, and once: of 20 parallel wrong codes exactly one emits
 * it. Wrong codes during the lock emit nothing; a lockout that starts again after the first
 * ended emits again. The actor is `system` and the detail says until when.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrongCodes } from '../support/authenticator';
import { challengeFor, enrolTotp, tally, type Twofold } from '../support/twofold';
import { eventsOf, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofoldWithEvents();
});
afterAll(() => t?.stop());

const LOCKOUT_SECONDS = 600;
const lockEvents = async (userId: string) => (await eventsOf(t, userId)).filter((e) => e.type === 'user.locked');

async function guess(userId: string, codes: string[]) {
  const challengeId = await challengeFor(t.app, userId);
  return Promise.all(codes.map((code) => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));
}

describe('user.locked', () => {
  it('20 parallel wrong codes: 5 counted, 15 locked out, and exactly one user.locked', async () => {
    const { secret } = await enrolTotp(t, t.app, 'victim');
    t.clock.advanceSeconds(30);
    const lockedAtMs = t.clock.nowMs();
    const results = await guess('victim', await wrongCodes(secret, lockedAtMs, 20));
    expect(tally(results)).toEqual({ 422: 5, 423: 15 });
    const lockedUntil = new Date(lockedAtMs + LOCKOUT_SECONDS * 1000).toISOString();
    expect(await lockEvents('victim')).toEqual([
      expect.objectContaining({ tenantId: t.tenant.tenantId, userId: 'victim', actor: 'system', at: new Date(lockedAtMs).toISOString(), detail: { lockedUntil } }),
    ]);
    expect((await t.app('GET', '/v1/users/victim')).body.lockedUntil).toBe(lockedUntil);
  });

  it('not before the lockout starts: 4 wrong codes emit nothing, the 5th emits user.locked', async () => {
    const { secret } = await enrolTotp(t, t.app, 'tess');
    t.clock.advanceSeconds(30);
    const codes = await wrongCodes(secret, t.clock.nowMs(), 7);
    const challengeId = await challengeFor(t.app, 'tess');
    for (const code of codes.slice(0, 4)) {
      expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })).status).toBe(422);
      expect(await lockEvents('tess')).toEqual([]);
    }
    const fifth = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: codes[4] });
    expect(fifth.body.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: 0 });
    expect(await lockEvents('tess')).toHaveLength(1);

    // during the lock, more wrong codes are refused without a new event
    t.clock.advanceSeconds(60);
    for (const code of codes.slice(5)) expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })).status).toBe(423);
    expect(await lockEvents('tess')).toHaveLength(1);
  });

  it('a lockout that starts again after the first one ended emits again', async () => {
    const { secret } = await enrolTotp(t, t.app, 'uma');
    t.clock.advanceSeconds(30);
    await guess('uma', await wrongCodes(secret, t.clock.nowMs(), 5));
    t.clock.advanceSeconds(LOCKOUT_SECONDS + 1);
    const secondAtMs = t.clock.nowMs();
    const results = await guess('uma', await wrongCodes(secret, secondAtMs, 10));
    expect(tally(results)).toEqual({ 422: 5, 423: 5 });
    const events = await lockEvents('uma');
    expect(events).toHaveLength(2);
    expect(events[1]!.detail).toEqual({ lockedUntil: new Date(secondAtMs + LOCKOUT_SECONDS * 1000).toISOString() });
  });
});
