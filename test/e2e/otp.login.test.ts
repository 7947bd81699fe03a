/**
 * SMS and email codes end to end: enrol each, log in with each, resend (the old code stops
 * working), hit the resend limit, let a code expire, run out of attempts. Codes are read from
 * the local outbox over HTTP (SMS) and from the SES emulator's store (email) — never made here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
const phone = '+33612345678';
const email = 'carol@example.com';

beforeAll(async () => {
  h = await startOtpHarness();
});
afterAll(() => h.stop());

async function enrol(userId: string, body: Record<string, unknown>, to: string) {
  const started = await h.call('POST', `/v1/users/${userId}/factors`, body);
  expect(started.status).toBe(201);
  const confirmed = await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) });
  expect(confirmed.status).toBe(200);
  return { started: started.body, confirmed: confirmed.body };
}

describe('email and SMS factors', () => {
  it('enrol an email factor: a code is mailed, the destination masked, confirming activates it with recovery codes', async () => {
    const { started, confirmed } = await enrol('carol', { type: 'email', email: 'Carol@Example.com' }, email);
    expect(started).toMatchObject({ type: 'email', status: 'pending', destination: 'c***@example.com' });
    expect(JSON.stringify(started)).not.toContain('carol@');
    expect(confirmed.recoveryCodes).toHaveLength(8);
    const mail = (await h.messages()).filter((m) => m.to === email).at(-1)!;
    expect(mail.subject).toContain('Acme Corp');
    expect(mail.body).toContain('Acme Corp');
  });

  it('enrol an SMS factor with the number normalised to E.164 and masked in every response', async () => {
    h.clock.advanceSeconds(1);
    const { started } = await enrol('carol', { type: 'sms', phone: '+33 6 12 34 56 78', label: 'Mobile' }, phone);
    expect(started.destination).toBe('+33*******78');
    const user = await h.call('GET', '/v1/users/carol');
    expect(user.body.factors.map((f: { type: string; status: string }) => `${f.type}:${f.status}`)).toEqual(['email:active', 'sms:active']);
    expect(JSON.stringify(user.body)).not.toContain('612345678');
  });

  it('logs in with an SMS code', async () => {
    const challenge = await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' });
    expect(challenge.status).toBe(201);
    expect(challenge.body).toMatchObject({ required: true, method: 'sms', destination: '+33*******78' });
    expect(challenge.body.methods).toEqual(['sms', 'email', 'recovery_code']);
    const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await h.lastCode(phone) });
    expect(verified).toMatchObject({ status: 200, body: { verified: true, method: 'sms' } });
  });

  it('logs in with an email code; the default method comes from the policy', async () => {
    const challenge = await h.call('POST', '/v1/users/carol/challenges', {});
    expect(challenge.body.method).toBe('sms');
    const byEmail = await h.call('POST', '/v1/users/carol/challenges', { method: 'email' });
    const verified = await h.call('POST', `/v1/challenges/${byEmail.body.challengeId}/verify`, { code: await h.lastCode(email) });
    expect(verified.body).toMatchObject({ verified: true, method: 'email' });
  });

  it('resend: a new code works, the old one no longer does; within the cooldown it is refused', async () => {
    const challenge = (await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' })).body;
    const oldCode = await h.lastCode(phone);
    const tooSoon = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {});
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe('rate_limited');
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);

    h.clock.advanceSeconds(31);
    const resent = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {});
    expect(resent).toMatchObject({ status: 202, body: { resendsRemaining: 2, method: 'sms' } });
    const newCode = await h.lastCode(phone);
    if (newCode !== oldCode) {
      const stale = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: oldCode });
      expect(stale.status).toBe(422);
      expect(stale.body.error.code).toBe('invalid_code');
    }
    const fresh = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: newCode });
    expect(fresh.status).toBe(200);
  });

  it('stops at the resend limit (3) with 429 resend_limit_reached, and never resets the failure count', async () => {
    const challenge = (await h.call('POST', '/v1/users/carol/challenges', { method: 'email' })).body;
    const wrong = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: '000000' === (await h.lastCode(email)) ? '111111' : '000000' });
    expect(wrong.body.error.attemptsRemaining).toBe(4);
    for (let i = 0; i < 3; i++) {
      h.clock.advanceSeconds(31);
      expect((await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {})).status).toBe(202);
    }
    h.clock.advanceSeconds(31);
    const over = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {});
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('resend_limit_reached');
    const state = await h.call('GET', `/v1/challenges/${challenge.challengeId}`);
    expect(state.body.attemptsRemaining).toBe(4);
    // a correct login clears the failures
    await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: await h.lastCode(email) });
  });

  it('a code expires with its challenge: 410 challenge_expired after codeTimeoutSeconds', async () => {
    const challenge = (await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' })).body;
    const code = await h.lastCode(phone);
    h.clock.advanceSeconds(601);
    const late = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('challenge_expired');
  });

  it('locks after 5 wrong codes: 423 with Retry-After, even for the right code', async () => {
    const challenge = (await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' })).body;
    const code = await h.lastCode(phone);
    const wrong = code === '123456' ? '654321' : '123456';
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: wrong })).status);
    expect(statuses).toEqual([422, 422, 422, 422, 422, 423]);
    const right = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code });
    expect(right.status).toBe(423);
    expect(right.headers.get('retry-after')).toBeTruthy();
    h.clock.advanceSeconds(601);
  });

  it('fallback: switching a challenge to another method sends the code there', async () => {
    const challenge = (await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' })).body;
    h.clock.advanceSeconds(31);
    const switched = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, { method: 'email' });
    expect(switched).toMatchObject({ status: 202, body: { method: 'email', destination: 'c***@example.com' } });
    const verified = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: await h.lastCode(email) });
    expect(verified.body).toMatchObject({ verified: true, method: 'email' });
  });

  it('an emergency recovery phone must differ from the phone of another SMS factor', async () => {
    const same = await h.call('POST', '/v1/users/carol/factors', { type: 'sms', phone, recovery: true });
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('duplicate_destination');
    const other = await h.call('POST', '/v1/users/carol/factors', { type: 'sms', phone: '+33698765432', recovery: true });
    expect(other.status).toBe(201);
    expect(other.body.label).toBe('Recovery phone');
  });
});
