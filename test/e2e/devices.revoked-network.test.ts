/**
 * Threat: a revoked device's network still skips two-factor. With `prompt: unrecognized_devices`
 * a remembered sign-in IP alone recognises the user (the product pages allow a remembered
 * cookie or IP), but only while a device trusted from that IP is still trusted: a token-reuse
 * revocation (the moment we know the device's trust was stolen) forgets the IPs learnt with it,
 * and any revoked or expired device takes its IP's trust with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;

async function enrolEmail(userId: string) {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
}

/** A verified sign-in from `ip` that remembers its device: the device's first token. */
async function trustFrom(userId: string, ip: string): Promise<string> {
  const challenge = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email', context: { ip } });
  expect(challenge.body.required).toBe(true);
  const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await h.lastCode(`${userId}@example.com`), rememberDevice: true });
  expect(verified.status).toBe(200);
  return verified.body.deviceToken as string;
}

const signIn = (userId: string, context: { ip?: string; deviceToken?: string }) => h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email', context });

beforeAll(async () => {
  h = await startOtpHarness({ policy: { prompt: 'unrecognized_devices' } });
});
afterAll(() => h.stop());

describe('a remembered IP', () => {
  it('recognises the user while the device trusted from it is trusted', async () => {
    await enrolEmail('ann');
    await trustFrom('ann', '198.51.100.1');
    expect((await signIn('ann', { ip: '198.51.100.1' })).body).toMatchObject({ required: false, reason: 'recognized_device' });
    expect((await signIn('ann', { ip: '198.51.100.2' })).body.required).toBe(true);
  });

  it('threat: a rotated-out token replayed from the same IP is asked for a code, and so is every later sign-in from that IP', async () => {
    await enrolEmail('ben');
    const stolen = await trustFrom('ben', '198.51.100.10');
    const rotated = await signIn('ben', { ip: '198.51.100.10', deviceToken: stolen });
    expect(rotated.body.required).toBe(false);
    // the thief, from the victim's network, with the copy taken before the rotation
    const replay = await signIn('ben', { ip: '198.51.100.10', deviceToken: stolen });
    expect(replay.body).toMatchObject({ required: true, reason: 'two_factor_enabled' });
    await h.runtime.relayEvents();
    expect(h.runtime.events().filter((e) => e.type === 'device.revoked' && e.userId === 'ben')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ reason: 'token_reuse' }) })]);
    // the network alone no longer counts, nor the newer token
    expect((await signIn('ben', { ip: '198.51.100.10' })).body.required).toBe(true);
    expect((await signIn('ben', { ip: '198.51.100.10', deviceToken: rotated.body.deviceToken })).body.required).toBe(true);
  });

  it('counts no more once its device is revoked by the user', async () => {
    await enrolEmail('cat');
    await trustFrom('cat', '198.51.100.20');
    const [device] = (await h.call('GET', '/v1/users/cat/devices')).body.devices as { deviceId: string }[];
    expect((await h.call('DELETE', `/v1/users/cat/devices/${device!.deviceId}`)).status).toBe(204);
    expect((await signIn('cat', { ip: '198.51.100.20' })).body.required).toBe(true);
  });

  it('trusted again from it by a new device after the first was revoked, counts for as long as the new one', async () => {
    await enrolEmail('dot');
    await trustFrom('dot', '198.51.100.30');
    const [first] = (await h.call('GET', '/v1/users/dot/devices')).body.devices as { deviceId: string }[];
    expect((await h.call('DELETE', `/v1/users/dot/devices/${first!.deviceId}`)).status).toBe(204);
    await trustFrom('dot', '198.51.100.30');
    expect((await signIn('dot', { ip: '198.51.100.30' })).body.required).toBe(false);
    const [second] = (await h.call('GET', '/v1/users/dot/devices')).body.devices as { deviceId: string }[];
    expect(second!.deviceId).not.toBe(first!.deviceId);
    expect((await h.call('DELETE', `/v1/users/dot/devices/${second!.deviceId}`)).status).toBe(204);
    expect((await signIn('dot', { ip: '198.51.100.30' })).body.required).toBe(true);
  });
});
