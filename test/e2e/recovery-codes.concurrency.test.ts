/**
 * A recovery code is spent once, even when it is raced: 20 parallel uses of one code, each on
 * its own challenge, let exactly one login through and spend exactly one code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeFor, enrolTotp, startTwofold, tally, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold();
});
afterAll(() => t?.stop());

describe('one recovery code under parallel use', () => {
  it('20 parallel uses of one recovery code, each on its own challenge: exactly one 200, none 5xx', async () => {
    const { recoveryCodes } = await enrolTotp(t, t.app, 'carol');
    const challengeIds = await Promise.all(Array.from({ length: 20 }, () => challengeFor(t.app, 'carol', { method: 'recovery_code' })));
    expect(new Set(challengeIds).size).toBe(20);

    const code = recoveryCodes[0];
    const results = await Promise.all(challengeIds.map((id) => t.app('POST', `/v1/challenges/${id}/verify`, { recoveryCode: code })));

    expect(tally(results)[200]).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect([422, 423]).toContain(r.status);
      expect(['invalid_code', 'locked']).toContain(r.body.error.code);
    }
    expect(results.find((r) => r.status === 200)!.body).toMatchObject({ verified: true, method: 'recovery_code', recoveryCodesRemaining: 7 });
    // exactly one code was spent, and exactly one challenge verified
    expect((await t.app('GET', '/v1/users/carol')).body.recoveryCodesRemaining).toBe(7);
    const states = await Promise.all(challengeIds.map(async (id) => (await t.app('GET', `/v1/challenges/${id}`)).body.status));
    expect(states.filter((s) => s === 'verified')).toHaveLength(1);
  });

  it("one user's recovery codes, tried in parallel on another user's challenges, open none and spend none", async () => {
    const dave = await enrolTotp(t, t.app, 'dave');
    const erin = await enrolTotp(t, t.app, 'erin');
    const crossed = await Promise.all(
      dave.recoveryCodes.map(async (code) => t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'erin')}/verify`, { recoveryCode: code })),
    );
    expect(crossed.map((r) => r.status).filter((s) => s === 200)).toEqual([]);
    expect((await t.app('GET', '/v1/users/dave')).body.recoveryCodesRemaining).toBe(8);
    expect((await t.app('GET', '/v1/users/erin')).body.recoveryCodesRemaining).toBe(8);
    // those failures locked erin: her own code is refused too until the lock ends, then works
    const whileLocked = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'erin')}/verify`, { recoveryCode: erin.recoveryCodes[0] });
    expect(whileLocked.status).toBe(423);
    t.clock.advanceSeconds(601);
    const own = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'erin')}/verify`, { recoveryCode: erin.recoveryCodes[0] });
    expect(own.status).toBe(200);
  });
});
