/**
 * A challenge lives codeTimeoutSeconds (600 by default) and is answered once: after that it
 * answers 410 challenge_expired, and once verified it answers 409 challenge_already_verified,
 * whatever code comes. Time moves by the injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, type Enrolment, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let alice: Enrolment;
beforeAll(async () => {
  t = await testService();
  alice = await enrolTotp(t, t.app, 'alice');
});
afterAll(() => t?.stop());

const CODE_TIMEOUT_SECONDS = 600;

describe('challenge expiry', () => {
  it('expiresAt is codeTimeoutSeconds after creation; one second before, the right code works', async () => {
    const created = await t.app('POST', '/v1/users/alice/challenges', {});
    expect(Date.parse(created.body.expiresAt)).toBe(t.clock.nowMs() + CODE_TIMEOUT_SECONDS * 1000);
    t.clock.advanceSeconds(CODE_TIMEOUT_SECONDS - 1);
    const r = await t.app('POST', `/v1/challenges/${created.body.challengeId}/verify`, { code: await oathtool(alice.secret, t.clock.nowMs()) });
    expect(r.status).toBe(200);
  });

  it('at expiresAt the right code gets 410 challenge_expired, and GET shows expired', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    t.clock.advanceSeconds(CODE_TIMEOUT_SECONDS);
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(alice.secret, t.clock.nowMs()) });
    expect(r.status).toBe(410);
    expect(r.body.error.code).toBe('challenge_expired');
    expect(r.body.error.message).toMatch(/expired/);
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body).toMatchObject({ challengeId, status: 'expired', verifiedAt: null });
  });

  it('an expired challenge refuses a recovery code too, and does not spend it', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    t.clock.advanceSeconds(CODE_TIMEOUT_SECONDS + 1);
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: alice.recoveryCodes[0] });
    expect(r.status).toBe(410);
    expect((await t.app('GET', '/v1/users/alice')).body.recoveryCodesRemaining).toBe(8);
  });

  it('expired attempts do not count toward the lockout', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    t.clock.advanceSeconds(CODE_TIMEOUT_SECONDS);
    for (let i = 0; i < 6; i++) expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: '000000' })).status).toBe(410);
    const user = await t.app('GET', '/v1/users/alice');
    expect(user.body.lockedUntil).toBeNull();
    const fresh = await t.app('GET', `/v1/challenges/${await challengeFor(t.app, 'alice')}`);
    expect(fresh.body.attemptsRemaining).toBe(5);
  });
});

describe('a verified challenge', () => {
  it('answers 409 challenge_already_verified to a second valid code, to a recovery code, and to a wrong code', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, alice.secret) })).status).toBe(200);

    const again = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, alice.secret) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('challenge_already_verified');
    const recovery = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: alice.recoveryCodes[1] });
    expect(recovery.status).toBe(409);
    expect((await t.app('GET', '/v1/users/alice')).body.recoveryCodesRemaining).toBe(8);
    const wrong = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: '000000' });
    expect(wrong.status).toBe(409);
  });

  it('stays verified after it would have expired: GET shows verified, a verify answers 409', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    const ok = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, alice.secret) });
    expect(ok.status).toBe(200);
    t.clock.advanceSeconds(CODE_TIMEOUT_SECONDS * 2);
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body).toMatchObject({ status: 'verified', verifiedAt: ok.body.verifiedAt });
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(alice.secret, t.clock.nowMs()) })).status).toBe(409);
  });

  it('answered with a recovery code, GET shows the method that was used', async () => {
    const challengeId = await challengeFor(t.app, 'alice');
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body.method).toBe('totp');
    expect((await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: alice.recoveryCodes[2] })).status).toBe(200);
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body).toMatchObject({ status: 'verified', method: 'recovery_code' });
  });
});
