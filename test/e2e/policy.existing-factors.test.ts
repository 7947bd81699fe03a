/**
 * Threat: a tenant turns a method off (email phished, SMS pumped) and users who enrolled it
 * before keep using it. A method no longer in `methods.allowed` is neither offered nor accepted
 * at login, on a challenge started before the change too; a user left with no usable method must
 * enrol again (required, never waved through as "not enrolled").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';

let h: OtpHarness;
const admin = async (method: string, path: string, body?: unknown) => {
  const { issueApiKey } = await import('@twofold/core');
  const key = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
  const r = await fetch(h.runtime.baseUrl + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json().catch(() => undefined) };
};
const setAllowed = async (allowed: string[], fallback = 'totp') => {
  const current = (await h.call('GET', '/v1/policy')).body;
  const r = await admin('PUT', '/v1/policy', { ...current, methods: { ...current.methods, allowed, default: allowed.includes(fallback) ? fallback : allowed[0] } });
  expect(r.status).toBe(200);
};

beforeAll(async () => {
  h = await startOtpHarness({ policy: { methods: { allowed: ['totp', 'email'], default: 'email', allowFallback: true } } });
});
afterAll(() => h.stop());

async function enrolBoth(userId: string) {
  const address = `${userId}@example.com`;
  const email = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: address });
  expect((await h.call('POST', `/v1/users/${userId}/factors/${email.body.factorId}/verify`, { code: await h.lastCode(address) })).status).toBe(200);
  const totp = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'totp' });
  const secret = parseOtpauthUri(await zbarimg(totp.body.qrCode)).secret;
  expect((await h.call('POST', `/v1/users/${userId}/factors/${totp.body.factorId}/verify`, { code: await oathtool(secret, h.clock.nowMs()) })).status).toBe(200);
  return secret;
}

describe('a method the tenant drops', () => {
  it('is no longer offered, chosen, or accepted — on a challenge started before the change too', async () => {
    await setAllowed(['totp', 'email']);
    const secret = await enrolBoth('erin');
    const before = await h.call('POST', '/v1/users/erin/challenges', { method: 'email' });
    expect(before.status).toBe(201);
    const code = await h.lastCode('erin@example.com');

    await setAllowed(['totp']);
    const offered = await h.call('POST', '/v1/users/erin/challenges', {});
    expect(offered.body.methods).not.toContain('email');
    expect(offered.body.method).toBe('totp');
    expect((await h.call('POST', '/v1/users/erin/challenges', { method: 'email' })).status).toBe(422);
    const sent = (await h.messages()).length;
    const late = await h.call('POST', `/v1/challenges/${before.body.challengeId}/verify`, { code });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('method_not_available');
    expect((await h.call('POST', `/v1/challenges/${before.body.challengeId}/resend`, {})).status).toBeGreaterThanOrEqual(400);
    expect((await h.messages()).length).toBe(sent);
    // the authenticator still works
    h.clock.advanceSeconds(30);
    expect((await h.call('POST', `/v1/challenges/${offered.body.challengeId}/verify`, { code: await oathtool(secret, h.clock.nowMs()) })).status).toBe(200);
  });

  it('a user left with no usable method must enrol again: required, with the methods allowed now', async () => {
    await setAllowed(['totp', 'email']);
    const address = 'fred@example.com';
    const email = await h.call('POST', '/v1/users/fred/factors', { type: 'email', email: address });
    expect((await h.call('POST', `/v1/users/fred/factors/${email.body.factorId}/verify`, { code: await h.lastCode(address) })).status).toBe(200);
    await setAllowed(['totp']);
    const r = await h.call('POST', '/v1/users/fred/challenges', {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ required: true, reason: 'enrollment_required', enrollmentRequired: true, enrollmentMethods: ['totp'], challengeId: null });
  });
});
