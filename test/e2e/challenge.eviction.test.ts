/**
 * Threat: anyone who can start challenges for a user cancels the user's pending login by
 * starting newer ones (the login item used to keep the newest 20 and drop the oldest). Now a
 * pending challenge is never dropped for a newer one: past 20 pending, a new challenge is
 * refused with 429 rate_limited and Retry-After (until the oldest ends), recovery-code
 * challenges (which send nothing) count like any other, and parallel starts cannot pass the
 * limit together (each is added by one conditional write on the challenge revision).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';
import { enrolTotp, nextCode, startTwofold, type Twofold } from '../support/twofold';

let h: OtpHarness;

async function enrolEmail(userId: string) {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
}

beforeAll(async () => {
  h = await startOtpHarness({ sendLimits: { perUserPerHour: 1000, perDestinationPerHour: 1000 } });
});
afterAll(() => h.stop());

describe('a flood of new challenges', () => {
  it('threat: 300 recovery-code challenges do not cancel the pending email login; its code still verifies', async () => {
    await enrolEmail('victim');
    const pending = await h.call('POST', '/v1/users/victim/challenges', { method: 'email' });
    const code = await h.lastCode('victim@example.com');
    const flood = [];
    for (let i = 0; i < 300; i++) flood.push((await h.call('POST', '/v1/users/victim/challenges', { method: 'recovery_code' })).status);
    // 19 more fit beside the pending one, then every new one is refused
    expect(flood.filter((s) => s === 201)).toHaveLength(19);
    expect(flood.filter((s) => s === 429)).toHaveLength(281);
    const verified = await h.call('POST', `/v1/challenges/${pending.body.challengeId}/verify`, { code });
    expect(verified.status).toBe(200);
  });

  it('the refusal is 429 rate_limited with Retry-After until the oldest pending challenge expires; then a new one starts', async () => {
    await enrolEmail('walt');
    const first = await h.call('POST', '/v1/users/walt/challenges', { method: 'recovery_code' });
    h.clock.advanceSeconds(10);
    for (let i = 0; i < 19; i++) expect((await h.call('POST', '/v1/users/walt/challenges', { method: 'recovery_code' })).status).toBe(201);
    const refused = await h.call('POST', '/v1/users/walt/challenges', { method: 'recovery_code' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBe(Math.ceil((Date.parse(first.body.expiresAt) - h.clock.nowMs()) / 1000));
    h.clock.advanceSeconds(wait);
    expect((await h.call('POST', '/v1/users/walt/challenges', { method: 'recovery_code' })).status).toBe(201);
  });

  it('threat: 60 parallel starts leave at most 20 pending, and the pending login is untouched', async () => {
    await enrolEmail('xena');
    const pending = await h.call('POST', '/v1/users/xena/challenges', { method: 'email' });
    const code = await h.lastCode('xena@example.com');
    const statuses = (await Promise.all(Array.from({ length: 60 }, () => h.call('POST', '/v1/users/xena/challenges', { method: 'recovery_code' })))).map((r) => r.status);
    const started = statuses.filter((s) => s === 201).length;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(19);
    expect(statuses.every((s) => s === 201 || s === 429 || s === 503)).toBe(true);
    expect((await h.call('POST', `/v1/challenges/${pending.body.challengeId}/verify`, { code })).status).toBe(200);
  });
});

describe('for an authenticator-app user', () => {
  let t: Twofold;
  beforeAll(async () => {
    t = await startTwofold();
  });
  afterAll(() => t.stop());

  it('threat: the pending TOTP login survives a flood, and verifies with the next code', async () => {
    const { secret } = await enrolTotp(t, t.app, 'yuri');
    const pending = await t.app('POST', '/v1/users/yuri/challenges', {});
    expect(pending.body.method).toBe('totp');
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await t.app('POST', '/v1/users/yuri/challenges', { method: 'recovery_code' })).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(21);
    expect((await t.app('POST', `/v1/challenges/${pending.body.challengeId}/verify`, { code: await nextCode(t, secret) })).status).toBe(200);
  });
});
