/**
 * Trusted devices in security events: `rememberDevice` emits `device.trusted` with the id that
 * GET .../devices lists (never the token); revoking one emits `device.revoked` with its id,
 * revoking all emits one `device.revoked` with the count, and revoking nothing emits nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeFor, enrolTotp, nextCode, type Twofold } from '../support/twofold';
import { eventsOf, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
let secret: string;
beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
  ({ secret } = await enrolTotp(t, t.app, 'vera'));
});
afterAll(() => t?.stop());

const deviceEvents = async () => (await eventsOf(t, 'vera')).filter((e) => e.type.startsWith('device.'));

async function login(rememberDevice: boolean) {
  const challengeId = await challengeFor(t.app, 'vera', { context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } });
  const verified = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, secret), rememberDevice });
  expect(verified.status).toBe(200);
  return verified.body;
}

describe('device events', () => {
  it('a login without rememberDevice emits no device event', async () => {
    await login(false);
    expect(await deviceEvents()).toEqual([]);
  });

  it('rememberDevice emits device.trusted with the listed deviceId, not the token', async () => {
    const { deviceToken } = await login(true);
    const [device] = (await t.app('GET', '/v1/users/vera/devices')).body.devices;
    const events = await deviceEvents();
    expect(events).toEqual([
      expect.objectContaining({ type: 'device.trusted', tenantId: t.tenant.tenantId, userId: 'vera', actor: 'user', at: new Date(t.clock.nowMs()).toISOString(), detail: { deviceId: device.deviceId } }),
    ]);
    expect(JSON.stringify(events)).not.toContain(deviceToken.split('.')[1]);
  });

  it('revoking one device emits device.revoked with its id; revoking it again (404) emits nothing', async () => {
    const [device] = (await t.app('GET', '/v1/users/vera/devices')).body.devices;
    expect((await t.app('DELETE', `/v1/users/vera/devices/${device.deviceId}`)).status).toBe(204);
    expect((await t.app('DELETE', `/v1/users/vera/devices/${device.deviceId}`)).status).toBe(404);
    expect((await deviceEvents()).slice(1)).toEqual([expect.objectContaining({ type: 'device.revoked', actor: 'user', detail: { deviceId: device.deviceId } })]);
  });

  it('revoking all emits one device.revoked with the count; with none left, nothing', async () => {
    await login(true);
    await login(true);
    await login(true);
    const before = (await deviceEvents()).length;
    expect((await t.admin('DELETE', '/v1/users/vera/devices')).status).toBe(204);
    expect((await t.app('DELETE', '/v1/users/vera/devices')).status).toBe(204);
    const after = (await deviceEvents()).slice(before);
    expect(after).toEqual([expect.objectContaining({ type: 'device.revoked', actor: 'admin', detail: { count: 3, byKeyId: expect.any(String), byKeyName: 'initial admin key' } })]);
  });
});
