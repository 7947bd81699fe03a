/**
 * Trusted devices and risk-based prompting: a remembered device skips the second factor in
 * `unrecognized_devices` mode (and not in `every_login`), its token rotates on each use, and a
 * token is worthless for another user, another tenant, after revocation, expiry or rotation.
 * An IP seen at a verified sign-in is recognised; a new one is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '@twofold/contract';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;

async function enrolEmail(userId: string) {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) });
  return to;
}

/** Logs in with an email code; returns the verify answer. */
async function login(userId: string, context: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const challenge = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email', context });
  expect(challenge.status).toBe(201);
  if (!challenge.body.required) return { challenge: challenge.body, verified: undefined };
  const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await h.lastCode(`${userId}@example.com`), ...extra });
  expect(verified.status).toBe(200);
  return { challenge: challenge.body, verified: verified.body };
}

beforeAll(async () => {
  h = await startOtpHarness({ policy: { prompt: 'unrecognized_devices' } });
  await enrolEmail('alice');
  await enrolEmail('bob');
});
afterAll(() => h.stop());

describe('trusted devices', () => {
  let token: string;

  it('rememberDevice returns a device token; the next challenge with it is not required and rotates it', async () => {
    const first = await login('alice', { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Firefox/128.0' }, { rememberDevice: true });
    token = first.verified!.deviceToken;
    // unrecognized_devices with trusted devices on: the answer says the device will skip the code
    expect(first.verified!.deviceSkipsCode).toBe(true);
    expect(token).toMatch(/^td_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const next = await h.call('POST', '/v1/users/alice/challenges', { context: { deviceToken: token } });
    expect(next.body).toMatchObject({ required: false, reason: 'recognized_device', challengeId: null });
    expect(next.body.deviceToken).toMatch(/^td_/);
    expect(next.body.deviceToken).not.toBe(token);

    // the new one works (the rotated-out one coming back revokes the device: devices.token-reuse.test.ts)
    token = next.body.deviceToken;
    const again = await h.call('POST', '/v1/users/alice/challenges', { context: { deviceToken: token } });
    expect(again.body.required).toBe(false);
    token = again.body.deviceToken;

    const devices = await h.call('GET', '/v1/users/alice/devices');
    expect(devices.body.devices).toHaveLength(1);
    expect(devices.body.devices[0].label).toBe('Firefox on macOS');
  });

  it("a token of alice's is worthless for bob and for another tenant", async () => {
    const forBob = await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { deviceToken: token } });
    expect(forBob.body.required).toBe(true);
    const other = await h.runtime.createTenant('Other');
    await h.runtime.deps.tenants.putPolicy(other.tenantId, Policy.parse({ prompt: 'unrecognized_devices' }));
    const otherTenant = await fetch(`${h.runtime.baseUrl}/v1/users/alice/challenges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.appKey}` },
      body: JSON.stringify({ context: { deviceToken: token } }),
    });
    // alice does not exist there: no 2FA, no recognition either
    expect(await otherTenant.json()).toMatchObject({ required: false, reason: 'not_enrolled' });
    // and the token still works for alice: the misuse did not rotate it
    const still = await h.call('POST', '/v1/users/alice/challenges', { context: { deviceToken: token } });
    expect(still.body.required).toBe(false);
    token = still.body.deviceToken;
  });

  it('every_login ignores devices', async () => {
    await h.runtime.deps.tenants.putPolicy(h.tenantId, Policy.parse({ methods: { allowed: ['totp', 'sms', 'email'], default: 'email' }, prompt: 'every_login' }));
    h.clock.advanceSeconds(31); // past the container's 30 s policy cache
    const r = await h.call('POST', '/v1/users/alice/challenges', { context: { deviceToken: token } });
    expect(r.body).toMatchObject({ required: true, reason: 'two_factor_enabled' });
    // remembering a device under every_login: the answer says it will not skip the code
    const remembered = await login('bob', {}, { rememberDevice: true });
    expect(remembered.verified!.deviceSkipsCode).toBe(false);
    expect((await h.call('DELETE', '/v1/users/bob/devices')).status).toBe(204);
    // without rememberDevice the answer does not carry the flag
    const plain = await login('bob');
    expect(plain.verified).not.toHaveProperty('deviceSkipsCode');
    await h.runtime.deps.tenants.putPolicy(h.tenantId, Policy.parse({ methods: { allowed: ['totp', 'sms', 'email'], default: 'email' }, prompt: 'unrecognized_devices' }));
    h.clock.advanceSeconds(31);
  });

  it('a revoked token fails', async () => {
    const { deviceId } = (await h.call('GET', '/v1/users/alice/devices')).body.devices[0];
    expect((await h.call('DELETE', `/v1/users/alice/devices/${deviceId}`)).status).toBe(204);
    expect((await h.call('DELETE', `/v1/users/alice/devices/${deviceId}`)).status).toBe(404);
    const r = await h.call('POST', '/v1/users/alice/challenges', { method: 'email', context: { deviceToken: token } });
    expect(r.body.required).toBe(true);
  });

  it('an expired token fails (after trustedDevices.days)', async () => {
    const { verified } = await login('bob', {}, { rememberDevice: true });
    h.clock.advanceSeconds(31 * 86_400);
    const r = await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { deviceToken: verified!.deviceToken } });
    expect(r.body.required).toBe(true);
    expect((await h.call('GET', '/v1/users/bob/devices')).body.devices).toEqual([]);
  });

  it('revoke all: every device of the user', async () => {
    const a = (await login('alice', {}, { rememberDevice: true })).verified!.deviceToken;
    const b = (await login('alice', {}, { rememberDevice: true })).verified!.deviceToken;
    expect((await h.call('GET', '/v1/users/alice/devices')).body.devices).toHaveLength(2);
    expect((await h.call('DELETE', '/v1/users/alice/devices')).status).toBe(204);
    for (const t of [a, b]) expect((await h.call('POST', '/v1/users/alice/challenges', { method: 'email', context: { deviceToken: t } })).body.required).toBe(true);
  });
});

describe('known IPs', () => {
  it('an IP of a verified sign-in that trusted its device skips the second factor; a new IP asks', async () => {
    // a sign-in that did not ask to remember its device teaches nothing about its IP
    await login('bob', { ip: '203.0.113.7' });
    const unlearnt = await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { ip: '203.0.113.7' } });
    expect(unlearnt.body.required).toBe(true);
    await login('bob', { ip: '203.0.113.7' }, { rememberDevice: true });
    const known = await h.call('POST', '/v1/users/bob/challenges', { context: { ip: '203.0.113.7' } });
    expect(known.body).toMatchObject({ required: false, reason: 'recognized_device' });
    const fresh = await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { ip: '198.51.100.9' } });
    expect(fresh.body.required).toBe(true);
    // an IP only seen at an unverified challenge is not learnt
    const still = await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { ip: '198.51.100.9' } });
    expect(still.body.required).toBe(true);
    // nor is alice's IP recognised for bob
    await login('alice', { ip: '192.0.2.44' }, { rememberDevice: true });
    expect((await h.call('POST', '/v1/users/bob/challenges', { method: 'email', context: { ip: '192.0.2.44' } })).body.required).toBe(true);
  });
});

describe('disabling two-factor', () => {
  it('revokes every device', async () => {
    const t = (await login('bob', {}, { rememberDevice: true })).verified!.deviceToken;
    const admin = await fetch(`${h.runtime.baseUrl}/v1/users/bob/two-factor`, { method: 'DELETE', headers: { authorization: `Bearer ${(await adminKey())}` } });
    expect(admin.status).toBe(204);
    expect((await h.call('GET', '/v1/users/bob/devices')).body.devices).toEqual([]);
    const r = await h.call('POST', '/v1/users/bob/challenges', { context: { deviceToken: t } });
    expect(r.body).toMatchObject({ required: false, reason: 'not_enrolled' });
    expect(r.body.deviceToken).toBeUndefined();
  });
});

async function adminKey() {
  const { issueApiKey } = await import('@twofold/core');
  return issueApiKey(h.runtime.deps, h.tenantId, 'admin');
}
