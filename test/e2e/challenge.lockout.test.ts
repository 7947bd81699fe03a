/**
 * Guessing is capped: with maxInvalidAttempts 5 and lockoutSeconds 600 (the defaults), 20
 * parallel wrong guesses get exactly 5 answers "wrong" and 15 "locked", and then even the right
 * code is refused until the lock ends, on this challenge and any new one. The injected clock
 * moves time; nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool, wrongCode, wrongCodes } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, startTwofold, tally, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold();
});
afterAll(() => t?.stop());

const LOCKOUT_SECONDS = 600;

describe('20 parallel wrong guesses', () => {
  const userId = 'victim';
  let secret: string;
  let challengeId: string;
  let lockedAtMs: number;
  let laterChallengeId: string;

  it('exactly 5 are answered 422 invalid_code (attemptsRemaining 4..0), the other 15 are 423 locked with Retry-After', async () => {
    ({ secret } = await enrolTotp(t, t.app, userId));
    challengeId = await challengeFor(t.app, userId);
    t.clock.advanceSeconds(30);
    lockedAtMs = t.clock.nowMs();
    const guesses = await wrongCodes(secret, lockedAtMs, 20);
    const results = await Promise.all(guesses.map((code) => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));

    expect(tally(results)).toEqual({ 422: 5, 423: 15 });
    const wrong = results.filter((r) => r.status === 422);
    for (const r of wrong) expect(r.body.error.code).toBe('invalid_code');
    expect(wrong.map((r) => r.body.error.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);

    for (const r of results.filter((x) => x.status === 423)) {
      expect(r.body.error.code).toBe('locked');
      expect(r.body.error.retryAfterSeconds).toBeGreaterThan(0);
      expect(r.body.error.retryAfterSeconds).toBeLessThanOrEqual(LOCKOUT_SECONDS);
      expect(r.headers.get('retry-after')).toBe(String(r.body.error.retryAfterSeconds));
    }
  });

  it('GET /v1/users/{id} shows lockedUntil, and the challenge shows locked with no attempts left', async () => {
    const user = await t.app('GET', `/v1/users/${userId}`);
    expect(user.body.lockedUntil).toBe(new Date(lockedAtMs + LOCKOUT_SECONDS * 1000).toISOString());
    const challenge = await t.app('GET', `/v1/challenges/${challengeId}`);
    expect(challenge.body).toMatchObject({ status: 'locked', attemptsRemaining: 0 });
  });

  it('the right code is refused with 423 while locked, on this challenge and on a new one', async () => {
    const code = await nextCode(t, secret); // 30 s into the lock
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code });
    expect(r.status).toBe(423);
    expect(r.body.error.code).toBe('locked');
    expect(r.body.error.retryAfterSeconds).toBe(LOCKOUT_SECONDS - 30);
    expect(r.headers.get('retry-after')).toBe(String(LOCKOUT_SECONDS - 30));

    laterChallengeId = await challengeFor(t.app, userId);
    const again = await t.app('POST', `/v1/challenges/${laterChallengeId}/verify`, { code: await nextCode(t, secret) });
    expect(again.status).toBe(423);
    expect(again.body.error.code).toBe('locked');
  });

  it('one second before the lock ends the right code is still refused', async () => {
    t.clock.set(lockedAtMs + LOCKOUT_SECONDS * 1000 - 1000);
    // (the first challenge has expired by now; the later one has not)
    const r = await t.app('POST', `/v1/challenges/${laterChallengeId}/verify`, { code: await oathtool(secret, t.clock.nowMs()) });
    expect(r.status).toBe(423);
    expect(r.body.error.retryAfterSeconds).toBe(1);
    expect((await t.app('GET', `/v1/users/${userId}`)).body.lockedUntil).not.toBeNull();
  });

  it('after the lock ends the right code is accepted on a fresh challenge (the old one has expired)', async () => {
    t.clock.set(lockedAtMs + LOCKOUT_SECONDS * 1000 + 1000);
    expect((await t.app('GET', `/v1/users/${userId}`)).body.lockedUntil).toBeNull();
    const code = await oathtool(secret, t.clock.nowMs());
    // the first challenge was created 30 s before the lock and lives 600 s
    const expired = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code });
    expect(expired.status).toBe(410);

    const fresh = await challengeFor(t.app, userId);
    expect((await t.app('GET', `/v1/challenges/${fresh}`)).body).toMatchObject({ status: 'pending', attemptsRemaining: 5 });
    const r = await t.app('POST', `/v1/challenges/${fresh}/verify`, { code });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ verified: true, method: 'totp' });
  });

  it('the count starts again: the next wrong guess leaves 4 attempts', async () => {
    const id = await challengeFor(t.app, userId);
    const r = await t.app('POST', `/v1/challenges/${id}/verify`, { code: await wrongCode(secret, t.clock.nowMs()) });
    expect(r.status).toBe(422);
    expect(r.body.error.attemptsRemaining).toBe(4);
  });
});

describe('a lock is per user', () => {
  it("locking one user leaves another user of the tenant alone", async () => {
    const a = await enrolTotp(t, t.app, 'locked-one');
    const b = await enrolTotp(t, t.app, 'bystander');
    const id = await challengeFor(t.app, 'locked-one');
    for (const code of await wrongCodes(a.secret, t.clock.nowMs(), 5)) await t.app('POST', `/v1/challenges/${id}/verify`, { code });
    expect((await t.app('GET', '/v1/users/locked-one')).body.lockedUntil).not.toBeNull();

    expect((await t.app('GET', '/v1/users/bystander')).body.lockedUntil).toBeNull();
    const r = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'bystander')}/verify`, { code: await nextCode(t, b.secret) });
    expect(r.status).toBe(200);
  });

  it('failures on several challenges add up: 3 on one and 2 on another lock the user', async () => {
    const { secret } = await enrolTotp(t, t.app, 'spreader');
    const [c1, c2] = [await challengeFor(t.app, 'spreader'), await challengeFor(t.app, 'spreader')];
    const guesses = await wrongCodes(secret, t.clock.nowMs(), 5);
    for (const code of guesses.slice(0, 3)) await t.app('POST', `/v1/challenges/${c1}/verify`, { code });
    const fourth = await t.app('POST', `/v1/challenges/${c2}/verify`, { code: guesses[3] });
    expect(fourth.body.error.attemptsRemaining).toBe(1);
    await t.app('POST', `/v1/challenges/${c2}/verify`, { code: guesses[4] });
    const right = await t.app('POST', `/v1/challenges/${c2}/verify`, { code: await nextCode(t, secret) });
    expect(right.status).toBe(423);
  });

  it('a recovery code is refused while locked too (the lock bounds every kind of code); after the lock it works', async () => {
    const { secret, recoveryCodes } = await enrolTotp(t, t.app, 'lost-phone');
    const id = await challengeFor(t.app, 'lost-phone');
    for (const code of await wrongCodes(secret, t.clock.nowMs(), 5)) await t.app('POST', `/v1/challenges/${id}/verify`, { code });
    const wrongRecovery = await t.app('POST', `/v1/challenges/${id}/verify`, { recoveryCode: 'aaaa-bbbb-cccc-dddd' });
    expect(wrongRecovery.status).toBe(423);
    const locked = await t.app('POST', `/v1/challenges/${id}/verify`, { recoveryCode: recoveryCodes[0] });
    expect(locked.status).toBe(423);
    // the refused code was not spent
    expect((await t.app('GET', '/v1/users/lost-phone')).body.recoveryCodesRemaining).toBe(recoveryCodes.length);
    t.clock.advanceSeconds(600);
    const later = await challengeFor(t.app, 'lost-phone');
    const r = await t.app('POST', `/v1/challenges/${later}/verify`, { recoveryCode: recoveryCodes[0] });
    expect(r.status).toBe(200);
    expect(r.body.method).toBe('recovery_code');
    // a successful login clears the failures
    expect((await t.app('GET', '/v1/users/lost-phone')).body.lockedUntil).toBeNull();
  });
});
