/**
 * A TOTP code is good for one login. 20 parallel submissions of one valid code on one challenge
 * let exactly one in; a code once accepted is refused on every later challenge, even within its
 * 30 seconds; the code that confirmed the enrollment cannot log in; and a code older than the
 * last one used is refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, startTwofold, tally, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold();
});
afterAll(() => t?.stop());

describe('one code, one login', () => {
  it('20 parallel verifications of one valid code on one challenge: exactly one 200, the rest 4xx, none 5xx', async () => {
    const { secret } = await enrolTotp(t, t.app, 'racer');
    const challengeId = await challengeFor(t.app, 'racer');
    const code = await nextCode(t, secret);
    const results = await Promise.all(Array.from({ length: 20 }, () => t.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));

    expect(tally(results)[200]).toBe(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    for (const r of refused) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(['invalid_code', 'challenge_already_verified', 'locked']).toContain(r.body.error.code);
    }
    const challenge = await t.app('GET', `/v1/challenges/${challengeId}`);
    expect(challenge.body.status).toBe('verified');
  });

  it('20 parallel verifications of one valid code, each on its own challenge: exactly one login', async () => {
    const { secret } = await enrolTotp(t, t.app, 'spreader');
    const challengeIds = await Promise.all(Array.from({ length: 20 }, () => challengeFor(t.app, 'spreader')));
    const code = await nextCode(t, secret);
    const results = await Promise.all(challengeIds.map((id) => t.app('POST', `/v1/challenges/${id}/verify`, { code })));

    expect(tally(results)[200]).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect([422, 423]).toContain(r.status);
      expect(['invalid_code', 'locked']).toContain(r.body.error.code);
    }
    const states = await Promise.all(challengeIds.map(async (id) => (await t.app('GET', `/v1/challenges/${id}`)).body.status));
    expect(states.filter((s) => s === 'verified')).toHaveLength(1);
  });

  it('a code accepted once is refused on a new challenge within the same step', async () => {
    t.clock.set(Math.ceil(t.clock.nowMs() / 30_000) * 30_000); // at the start of a step
    const { secret } = await enrolTotp(t, t.app, 'replayer');
    const code = await nextCode(t, secret);
    const first = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'replayer')}/verify`, { code });
    expect(first.status).toBe(200);

    t.clock.advanceSeconds(5); // still the same 30-second step
    expect(await oathtool(secret, t.clock.nowMs())).toBe(code);
    const second = await challengeFor(t.app, 'replayer');
    const replay = await t.app('POST', `/v1/challenges/${second}/verify`, { code });
    expect(replay.status).toBe(422);
    expect(replay.body.error.code).toBe('invalid_code');
    expect(replay.body.error.attemptsRemaining).toBe(4);
    expect((await t.app('GET', `/v1/challenges/${second}`)).body.status).toBe('pending');

    // the next step's code opens the same challenge
    const fresh = await t.app('POST', `/v1/challenges/${second}/verify`, { code: await nextCode(t, secret) });
    expect(fresh.status).toBe(200);
  });

  it('the code that confirmed the enrollment cannot log in', async () => {
    const { confirmCode, secret } = await enrolTotp(t, t.app, 'confirmer');
    const challengeId = await challengeFor(t.app, 'confirmer');
    // same step as the confirmation: the code is still current for the authenticator
    expect(await oathtool(secret, t.clock.nowMs())).toBe(confirmCode);
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: confirmCode });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_code');
  });

  it('an older code, still inside the ±1 step window, is refused once a newer one was used', async () => {
    const { secret } = await enrolTotp(t, t.app, 'rewinder');
    const older = await nextCode(t, secret);
    const newer = await nextCode(t, secret);
    // `older` is one step back: the window would accept it if nothing newer had been used
    const ok = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'rewinder')}/verify`, { code: newer });
    expect(ok.status).toBe(200);
    const r = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'rewinder')}/verify`, { code: older });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_code');
  });

  it('a code one step old is still accepted when nothing newer was used (clock drift)', async () => {
    const { secret } = await enrolTotp(t, t.app, 'drifter');
    const code = await nextCode(t, secret);
    t.clock.advanceSeconds(30);
    const r = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'drifter')}/verify`, { code });
    expect(r.status).toBe(200);
  });
});
