/**
 * Device token theft: a trusted-device token rotates on every use, so its rightful holder only
 * ever presents the newest one. A rotated-out token presented again means someone else kept a
 * copy (malware, a synced browser profile, a backup): the device is revoked at once — neither
 * the thief's copy nor the newer token works any more — and `device.revoked` says why. A guess
 * (a wrong secret for a real device id) revokes nothing, and a client's retry with the same
 * Idempotency-Key gets the same new token back instead of tripping the alarm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;

const enrolEmail = async (userId: string) => {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) })).status).toBe(200);
};
/** A verified login that remembers the device: its first token. */
const trustDevice = async (userId: string): Promise<string> => {
  const challenge = await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email' });
  const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: await h.lastCode(`${userId}@example.com`), rememberDevice: true });
  expect(verified.status).toBe(200);
  return verified.body.deviceToken;
};
const present = (userId: string, deviceToken: string, headers: Record<string, string> = {}) =>
  h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email', context: { deviceToken } }, headers);
const devicesOf = async (userId: string) => (await h.call('GET', `/v1/users/${userId}/devices`)).body.devices as { deviceId: string }[];
const revocations = async (userId: string) => {
  await h.runtime.relayEvents();
  return h.runtime.events().filter((e) => e.type === 'device.revoked' && e.userId === userId);
};

beforeAll(async () => {
  h = await startOtpHarness({ policy: { prompt: 'unrecognized_devices' } });
  for (const user of ['alice', 'bob', 'carol', 'dan']) await enrolEmail(user);
});
afterAll(() => h.stop());

describe('a rotated-out device token presented again', () => {
  it('revokes the device: the stolen copy and the newer token are both refused, and device.revoked says token_reuse', async () => {
    const stolen = await trustDevice('alice');
    const [device] = await devicesOf('alice');
    const rotated = await present('alice', stolen);
    expect(rotated.body).toMatchObject({ required: false, reason: 'recognized_device' });
    const newer: string = rotated.body.deviceToken;

    // the thief replays the copy taken before the rotation
    const thief = await present('alice', stolen);
    expect(thief.body).toMatchObject({ required: true, reason: 'two_factor_enabled' });
    expect(await devicesOf('alice')).toEqual([]);
    expect(await revocations('alice')).toEqual([
      expect.objectContaining({ actor: 'system', detail: { deviceId: device!.deviceId, reason: 'token_reuse' } }),
    ]);
    // the rightful holder's newer token stops working too: they verify again
    expect((await present('alice', newer)).body.required).toBe(true);
  });

  it('10 replays at once revoke it once (one device.revoked)', async () => {
    const stolen = await trustDevice('bob');
    expect((await present('bob', stolen)).body.reason).toBe('recognized_device');
    const replays = await Promise.all(Array.from({ length: 10 }, () => present('bob', stolen)));
    expect(replays.every((r) => r.body.required === true)).toBe(true);
    expect(await revocations('bob')).toHaveLength(1);
  });

  it('a wrong secret for a real device id is just not recognised: nothing is revoked', async () => {
    const token = await trustDevice('carol');
    const [deviceId] = token.slice(3).split('.');
    const guess = `td_${deviceId}.${'A'.repeat(43)}`;
    expect((await present('carol', guess)).body.required).toBe(true);
    expect(await devicesOf('carol')).toHaveLength(1);
    expect((await present('carol', token)).body.reason).toBe('recognized_device');
    expect(await revocations('carol')).toEqual([]);
  });

  it("a client's retry with the same Idempotency-Key gets the same new token and revokes nothing", async () => {
    const first = await trustDevice('dan');
    const key = { 'idempotency-key': 'dan-device-login-1' };
    const answer = await present('dan', first, key);
    const retry = await present('dan', first, key);
    expect(retry.body).toEqual(answer.body);
    expect(await devicesOf('dan')).toHaveLength(1);
    expect((await present('dan', answer.body.deviceToken)).body.reason).toBe('recognized_device');
    expect(await revocations('dan')).toEqual([]);
  });
});
