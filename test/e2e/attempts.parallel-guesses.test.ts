/**
 * Threat: a parallel attacker. With `maxInvalidAttempts: 5`, an attacker who sends 50 guesses
 * at once — one of them right — must not get more guesses per lockout window than the limit:
 * the right one succeeds only if fewer than 5 wrong ones reached the store before it. Against
 * 6 users, that is about 6 × 5/50 logins expected; more than 3 in all is a bypass (the old
 * read-check-count design let every burst through; with a fair race more than 3 of 6 get
 * through about once in 800 runs; with the 10 bursts of 100 this test sent before, once in 1,000). For TOTP codes, email codes and recovery codes.
 * After each burst the user is locked, and no more than 5 failures were counted (of 49 wrong
 * guesses in flight together: ten times the limit, so a race in the count would show).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool, wrongCodes } from '../support/authenticator';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';
import { challengeFor, enrolTotp, startTwofold, type Twofold } from '../support/twofold';

const USERS = 6;
const GUESSES = 50;
const MAX_LOGINS_IN_ALL = 3;

/** GUESSES guesses at once, the right one at a random place among them. */
function withOneRight<T>(wrong: T[], right: T): T[] {
  const guesses = [...wrong];
  guesses.splice(Math.floor(Math.random() * (guesses.length + 1)), 0, right);
  return guesses;
}

/**
 * The answers that are neither a login (200), a wrong code (422) nor a lock (423), as
 * `status code`. Once the burst's one login has used the challenge, the guesses still in flight
 * are answered 409 challenge_already_verified (API.md); without a login there are none of those.
 */
function unexpected(answers: { status: number; body: { error?: { code?: string } } }[]): string[] {
  const loggedIn = answers.some((a) => a.status === 200);
  return answers
    .filter((a) => a.status !== 200 && a.status !== 422 && a.status !== 423 && !(loggedIn && a.status === 409 && a.body.error?.code === 'challenge_already_verified'))
    .map((a) => `${a.status} ${a.body.error?.code ?? ''}`);
}

// 300 requests per test (50 guesses × 6 users): over the default 30 s on 2 very busy cores
const BURST_TIMEOUT_MS = 120_000;

describe(`TOTP: ${GUESSES} parallel guesses with one right code, against each of ${USERS} users`, () => {
  let t: Twofold;
  beforeAll(async () => {
    t = await startTwofold();
  });
  afterAll(() => t?.stop());

  it(`get through at most ${MAX_LOGINS_IN_ALL} times in all, and lock every user`, async () => {
    let logins = 0;
    for (let u = 0; u < USERS; u++) {
      const userId = `totp-guess-${u}`;
      const { secret } = await enrolTotp(t, t.app, userId);
      t.clock.advanceSeconds(30);
      const challengeId = await challengeFor(t.app, userId);
      const right = await oathtool(secret, t.clock.nowMs());
      const wrong = (await wrongCodes(secret, t.clock.nowMs(), 40)).concat(Array.from({ length: GUESSES - 41 }, (_, i) => String(100000 + i * 7919).slice(0, 6)));
      const guesses = withOneRight(wrong.filter((c) => c !== right).slice(0, GUESSES - 1), right);
      const answers = await Promise.all(guesses.map((code) => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));
      const statuses = answers.map((a) => a.status);
      expect(unexpected(answers), 'answers other than login, wrong code, locked, already used').toEqual([]);
      expect(answers.filter((a) => a.status === 200).length, 'logins with one challenge').toBeLessThanOrEqual(1);
      logins += statuses.filter((s) => s === 200).length;
      // without a login (which resets the count), at most the limit of wrong codes were answered
      // as wrong, the rest refused as locked, and the user is locked
      if (!statuses.includes(200)) {
        expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
        expect((await t.app('GET', `/v1/users/${userId}`)).body.lockedUntil).not.toBeNull();
      }
    }
    console.info(`TOTP: ${logins} of ${USERS} bursts got through`);
    expect(logins).toBeLessThanOrEqual(MAX_LOGINS_IN_ALL);
  }, BURST_TIMEOUT_MS);
});

describe(`email codes and recovery codes: ${GUESSES} parallel guesses with one right, against each of ${USERS} users`, () => {
  let h: OtpHarness;
  beforeAll(async () => {
    h = await startOtpHarness({ policy: { methods: { allowed: ['totp', 'email'], default: 'email', allowFallback: true } } });
  });
  afterAll(() => h?.stop());

  async function enrolEmail(userId: string): Promise<string[]> {
    const address = `${userId}@example.com`;
    const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: address });
    expect(started.status).toBe(201);
    const confirmed = await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(address) });
    expect(confirmed.status).toBe(200);
    return confirmed.body.recoveryCodes as string[];
  }

  it(`email codes get through at most ${MAX_LOGINS_IN_ALL} times in all`, async () => {
    let logins = 0;
    for (let u = 0; u < USERS; u++) {
      const userId = `email-guess-${u}`;
      await enrolEmail(userId);
      const started = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email' });
      expect(started.status).toBe(201);
      const right = await h.lastCode(`${userId}@example.com`);
      const wrong = Array.from({ length: GUESSES }, (_, i) => String((Number(right) + 1 + i * 104_729) % 1_000_000).padStart(6, '0')).filter((c) => c !== right);
      const answers = await Promise.all(withOneRight(wrong.slice(0, GUESSES - 1), right).map((code) => h.call('POST', `/v1/challenges/${started.body.challengeId}/verify`, { code })));
      const statuses = answers.map((a) => a.status);
      expect(unexpected(answers), 'answers other than login, wrong code, locked, already used').toEqual([]);
      expect(answers.filter((a) => a.status === 200).length, 'logins with one challenge').toBeLessThanOrEqual(1);
      if (!statuses.includes(200)) expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
      logins += statuses.filter((s) => s === 200).length;
    }
    expect(logins).toBeLessThanOrEqual(MAX_LOGINS_IN_ALL);
  }, BURST_TIMEOUT_MS);

  it(`recovery codes get through at most ${MAX_LOGINS_IN_ALL} times in all, and a refused right code is not spent`, async () => {
    let logins = 0;
    for (let u = 0; u < USERS; u++) {
      const userId = `recovery-guess-${u}`;
      const codes = await enrolEmail(userId);
      const started = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email' });
      const wrong = Array.from({ length: GUESSES - 1 }, (_, i) => `zzzz-zzzz-zzzz-${String(i).padStart(4, '0')}`);
      const answers = await Promise.all(withOneRight(wrong, codes[0]!).map((recoveryCode) => h.call('POST', `/v1/challenges/${started.body.challengeId}/verify`, { recoveryCode })));
      const statuses = answers.map((a) => a.status);
      expect(unexpected(answers), 'answers other than login, wrong code, locked, already used').toEqual([]);
      expect(answers.filter((a) => a.status === 200).length, 'logins with one challenge').toBeLessThanOrEqual(1);
      if (!statuses.includes(200)) expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
      const won = statuses.filter((s) => s === 200).length;
      logins += won;
      // the right code was spent only if it logged in
      expect((await h.call('GET', `/v1/users/${userId}`)).body.recoveryCodesRemaining).toBe(codes.length - won);
    }
    expect(logins).toBeLessThanOrEqual(MAX_LOGINS_IN_ALL);
  }, BURST_TIMEOUT_MS);
});
