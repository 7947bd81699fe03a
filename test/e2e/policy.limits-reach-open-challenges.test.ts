/**
 * Threat: a policy made stricter does not reach the challenges already open. Each challenge
 * copies its limits when it starts; at every answer (and resend) the stricter of those and the
 * policy's now apply: a lowered maxInvalidAttempts locks sooner, a narrowed
 * sms.allowedCountries refuses a code sent before the change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '@twofold/core';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
const phone = '+33612345678';

let adminKey: string;

/** An admin's PATCH /v1/policy, as a workspace admin would make it. */
async function setPolicy(patch: Record<string, unknown>) {
  const r = await fetch(`${h.runtime.baseUrl}/v1/policy`, { method: 'PATCH', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
  expect(r.status).toBe(200);
  // past the functions' tenant cache
  h.clock.advanceSeconds(31);
}

async function enrol(userId: string, factor: Record<string, unknown>, to: string) {
  const started = await h.call('POST', `/v1/users/${userId}/factors`, factor);
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
}

beforeAll(async () => {
  h = await startOtpHarness({ policy: { maxInvalidAttempts: 10 } });
  adminKey = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
});
afterAll(() => h.stop());

describe('a policy made stricter while a challenge is open', () => {
  it('threat: maxInvalidAttempts lowered from 10 to 3: the open challenge locks at 3 wrong codes, not 10', async () => {
    await enrol('ivy', { type: 'email', email: 'ivy@example.com' }, 'ivy@example.com');
    const challenge = await h.call('POST', '/v1/users/ivy/challenges', { method: 'email' });
    const code = await h.lastCode('ivy@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    await setPolicy({ maxInvalidAttempts: 3 });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: wrong }));
    expect(answers.map((a) => a.status)).toEqual([422, 422, 422, 423, 423, 423]);
    expect(answers.slice(0, 3).map((a) => a.body.error.attemptsRemaining)).toEqual([2, 1, 0]);
    // the right code is refused too while locked
    expect((await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code })).status).toBe(423);
  });

  it('threat: failures counted under the old limit lock at once when the new one is below them', async () => {
    await setPolicy({ maxInvalidAttempts: 10 });
    await enrol('jon', { type: 'email', email: 'jon@example.com' }, 'jon@example.com');
    const challenge = await h.call('POST', '/v1/users/jon/challenges', { method: 'email' });
    const code = await h.lastCode('jon@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 6; i++) expect((await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: wrong })).status).toBe(422);
    await setPolicy({ maxInvalidAttempts: 3 });
    expect((await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code })).status).toBe(423);
  });

  it('threat: a code sent to France before sms.allowedCountries became [US] is not accepted after', async () => {
    await setPolicy({ maxInvalidAttempts: 10 });
    await enrol('kim', { type: 'sms', phone }, phone);
    const challenge = await h.call('POST', '/v1/users/kim/challenges', { method: 'sms' });
    const code = await h.lastCode(phone);
    await setPolicy({ sms: { allowedCountries: ['US'] } });
    const answer = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('phone_number_not_allowed');
    expect(answer.body.assertion).toBeUndefined();
  });

  it('a policy made looser waits for the next challenge', async () => {
    await setPolicy({ maxInvalidAttempts: 3 });
    await enrol('lea', { type: 'email', email: 'lea@example.com' }, 'lea@example.com');
    const challenge = await h.call('POST', '/v1/users/lea/challenges', { method: 'email' });
    const code = await h.lastCode('lea@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    await setPolicy({ maxInvalidAttempts: 10 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: wrong })).status);
    expect(answers).toEqual([422, 422, 422, 423]);
  });
});
