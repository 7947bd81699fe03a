/**
 * The security guarantees hold on the engine `npm start` runs on (dynalite with our
 * TransactWriteItems and ReturnValuesOnConditionCheckFailure: packages/local/src/dynalite), not
 * only on DynamoDB Local, which the rest of the suite runs on. Against the whole local runtime
 * over HTTP: 20 parallel submissions of one right TOTP code to one challenge log in once; 100
 * parallel guesses with one right code, against each of 10 users with the default policy, count
 * no more wrong codes than its limit and leave the user locked (the right one gets through only
 * if it came before the limit: rarely, and no more than 3 times in all, as on DynamoDB Local in
 * attempts.parallel-guesses.test.ts); 20 parallel uses of one recovery code, each on its own
 * challenge, log in once and spend one code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool, wrongCodes } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, startTwofold, tally, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold({ engine: 'dynalite' });
  expect(t.runtime.dynamo).toMatch(/^dynalite/);
  await warmUp();
});
afterAll(() => t?.stop());

/**
 * One login of its own first, so that the verify path is warm (its modules loaded, the tenant's
 * keys unwrapped and cached): a cold first submission spends tens of milliseconds of CPU between
 * its read and its write, and on an engine this fast the parallel ones would only reach the store
 * after it, find it done, and never race it.
 */
async function warmUp(): Promise<void> {
  const { secret } = await enrolTotp(t, t.app, 'warm-up');
  const ok = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'warm-up')}/verify`, { code: await nextCode(t, secret) });
  expect(ok.status).toBe(200);
}

describe('on the dynalite engine', () => {
  it('20 parallel submissions of one right TOTP code to one challenge: exactly one 200, the rest 4xx', async () => {
    const { secret } = await enrolTotp(t, t.app, 'racer');
    const challengeId = await challengeFor(t.app, 'racer');
    const code = await nextCode(t, secret);
    const results = await Promise.all(Array.from({ length: 20 }, () => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));

    expect(tally(results)[200]).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(['invalid_code', 'challenge_already_verified', 'locked']).toContain(r.body.error.code);
    }
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body.status).toBe('verified');
    // the code is spent: the next challenge refuses it
    const replay = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'racer')}/verify`, { code });
    expect(replay.status).toBe(422);
  });

  const USERS = 10;
  const GUESSES = 100;
  // each burst lets the right code through with a chance of about limit/100 (it must come before
  // the limit's worth of wrong ones): about 0.5 logins expected in all, and more than 3 is a
  // bypass (as in attempts.parallel-guesses.test.ts, on DynamoDB Local)
  const MAX_LOGINS_IN_ALL = 3;

  it(`100 parallel guesses with one right code, against each of ${USERS} users: no more wrong codes counted than the limit, and the user locked`, async () => {
    const limit = (await t.admin('GET', '/v1/policy')).body.maxInvalidAttempts;
    expect(limit).toBe(5);
    let logins = 0;
    for (let u = 0; u < USERS; u++) {
      const userId = `guessed-${u}`;
      const { secret } = await enrolTotp(t, t.app, userId);
      t.clock.advanceSeconds(30);
      const challengeId = await challengeFor(t.app, userId);
      const right = await oathtool(secret, t.clock.nowMs());
      const guesses = (await wrongCodes(secret, t.clock.nowMs(), GUESSES - 1)).filter((c) => c !== right);
      guesses.splice(Math.floor(Math.random() * (guesses.length + 1)), 0, right);
      const answers = await Promise.all(guesses.map((code) => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));

      const statuses = answers.map((a) => a.status);
      const won = statuses.filter((s) => s === 200).length;
      expect(won).toBeLessThanOrEqual(1);
      logins += won;
      // a wrong code is answered as wrong (422, counted) or refused as locked (423); once the
      // challenge is verified, as answered already (409)
      expect(statuses.every((s) => s === 422 || s === 423 || s === 200 || (won && s === 409))).toBe(true);
      const counted = answers.filter((a) => a.status === 422).map((a) => a.body.error.attemptsRemaining as number);
      if (!won) {
        // each wrong code counted once, with an attempt left fewer than the one before: at most
        // the limit, and then the lock
        expect(counted.length).toBeLessThanOrEqual(limit);
        expect(new Set(counted).size).toBe(counted.length);
        expect(Math.min(...counted)).toBe(0);
        expect((await t.app('GET', `/v1/users/${userId}`)).body.lockedUntil).not.toBeNull();
        const late = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { code: await oathtool(secret, t.clock.nowMs()) });
        expect(late.status).toBe(423);
      } else {
        // the login reset the count once: at most limit − 1 before it and the limit after
        expect(counted.length).toBeLessThanOrEqual(2 * limit - 1);
      }
    }
    console.info(`dynalite: ${logins} of ${USERS} bursts got through`);
    expect(logins).toBeLessThanOrEqual(MAX_LOGINS_IN_ALL);
  }, 60_000);

  it('20 parallel uses of one recovery code, each on its own challenge: exactly one 200, one code spent', async () => {
    const { recoveryCodes } = await enrolTotp(t, t.app, 'carol');
    const challengeIds = await Promise.all(Array.from({ length: 20 }, () => challengeFor(t.app, 'carol', { method: 'recovery_code' })));
    expect(new Set(challengeIds).size).toBe(20);

    const results = await Promise.all(challengeIds.map((id) => t.app('POST', `/v1/challenges/${id}/verify`, { recoveryCode: recoveryCodes[0] })));
    expect(tally(results)[200]).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect([422, 423]).toContain(r.status);
      expect(['invalid_code', 'locked']).toContain(r.body.error.code);
    }
    expect(results.find((r) => r.status === 200)!.body).toMatchObject({ verified: true, method: 'recovery_code', recoveryCodesRemaining: recoveryCodes.length - 1 });
    expect((await t.app('GET', '/v1/users/carol')).body.recoveryCodesRemaining).toBe(recoveryCodes.length - 1);
    const states = await Promise.all(challengeIds.map(async (id) => (await t.app('GET', `/v1/challenges/${id}`)).body.status));
    expect(states.filter((s) => s === 'verified')).toHaveLength(1);
  });
});
