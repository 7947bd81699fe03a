/**
 * The overview counts SMS-only users (every active factor is SMS, recovery codes aside): the
 * users on a restricted authenticator alone (NIST SP 800-63B-4), whom a tenant plans to move to an
 * authenticator app or a passkey. The counter moves with each change, and the recount agrees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey, recountOverview } from '@twofold/core';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
let adminKey: string;
beforeAll(async () => {
  h = await startOtpHarness();
  adminKey = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
});
afterAll(() => h.stop());

const smsOnly = async () => {
  const r = await fetch(`${h.runtime.baseUrl}/v1/admin/overview`, { headers: { authorization: `Bearer ${adminKey}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { smsOnly: number }).smsOnly;
};

async function enrolSms(userId: string, phone: string) {
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'sms', phone });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(phone) })).status).toBe(200);
}

describe('overview.smsOnly', () => {
  it('counts users whose only active factors are SMS; an authenticator app or an email factor takes them out', async () => {
    expect(await smsOnly()).toBe(0);
    await enrolSms('sam', '+33612345601');
    await enrolSms('sue', '+33612345602');
    // a pending SMS factor does not count
    await h.call('POST', '/v1/users/pat/factors', { type: 'sms', phone: '+33612345603' });
    expect(await smsOnly()).toBe(2);

    const totp = await h.call('POST', '/v1/users/sam/factors', { type: 'totp' });
    const secret = parseOtpauthUri(await zbarimg(totp.body.qrCode)).secret;
    expect((await h.call('POST', `/v1/users/sam/factors/${totp.body.factorId}/verify`, { code: await oathtool(secret, h.clock.nowMs()) })).status).toBe(200);
    expect(await smsOnly()).toBe(1);

    const email = await h.call('POST', '/v1/users/sue/factors', { type: 'email', email: 'sue@example.com' });
    expect((await h.call('POST', `/v1/users/sue/factors/${email.body.factorId}/verify`, { code: await h.lastCode('sue@example.com') })).status).toBe(200);
    expect(await smsOnly()).toBe(0);

    expect(await recountOverview(h.runtime.deps, h.tenantId)).toEqual({ status: 'exact' });
  });
});
