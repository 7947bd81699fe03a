/**
 * One contract for every DeviceStore: devices and remembered IPs come and go with user changes;
 * a token's rotation is one conditional write (of parallel rotations with one token one wins, and
 * an expired device never rotates); an IP counts only while it is remembered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedDevice } from '@twofold/core';
import { profileChange, storeImplementations, T0, unique, type Stores } from '../support/stores';

const DAY_MS = 86_400_000;
const device = (deviceId: string, over: Partial<TrustedDevice> = {}): TrustedDevice => ({ deviceId, label: 'Firefox on Linux', secretHash: `s-${deviceId}`, createdAtMs: T0, expiresAtMs: T0 + 30 * DAY_MS, ...over });

describe.each(storeImplementations)('DeviceStore contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('adds devices and remembers IPs with user changes, lists them oldest first, and removes them with another', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'alice', 0, { devices: { add: device('d2', { createdAtMs: T0 + 5 }), rememberIp: { ipKey: 'ip-1', keepUntilMs: T0 + DAY_MS, deviceId: 'd2' } } }));
    await s.users.commit(profileChange(tenant, 'alice', 1, { devices: { add: device('d1'), rememberIp: { ipKey: 'ip-1', keepUntilMs: T0 + 2 * DAY_MS, deviceId: 'd1' } } }));
    expect((await s.devices.list(tenant, 'alice')).map((d) => d.deviceId)).toEqual(['d1', 'd2']);
    expect(await s.devices.get(tenant, 'alice', 'd1')).toEqual(device('d1'));
    expect((await s.devices.ipKeys(tenant, 'alice')).map((ip) => ({ ...ip, deviceIds: ip.deviceIds.sort() }))).toEqual([{ ipKey: 'ip-1', deviceIds: ['d1', 'd2'] }]);
    expect((await s.devices.devicesOfIp(tenant, 'alice', 'ip-1', T0 + DAY_MS)).sort()).toEqual(['d1', 'd2']);
    // remembered until the latest device's trust ends, then no longer
    expect(await s.devices.devicesOfIp(tenant, 'alice', 'ip-1', T0 + 2 * DAY_MS)).toEqual([]);
    expect(await s.devices.devicesOfIp(tenant, 'alice', 'ip-2', T0)).toEqual([]);
    expect(await s.devices.list(tenant, 'bob')).toEqual([]);

    await s.users.commit(profileChange(tenant, 'alice', 2, { devices: { remove: ['d2'], forgetIps: ['ip-1'] } }));
    expect((await s.devices.list(tenant, 'alice')).map((d) => d.deviceId)).toEqual(['d1']);
    expect(await s.devices.get(tenant, 'alice', 'd2')).toBeUndefined();
    expect(await s.devices.ipKeys(tenant, 'alice')).toEqual([]);
  });

  it('rotates a token only from its current secret and before it expires; of 20 parallel rotations from one secret one wins', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'carol', 0, { devices: { add: device('d1') } }));
    const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => s.devices.rotate(tenant, 'carol', 'd1', { oldHash: 's-d1', newHash: `n${i}`, nowMs: T0 + 1000 })));
    expect(raced.filter(Boolean)).toHaveLength(1);
    const rotated = await s.devices.get(tenant, 'carol', 'd1');
    expect(rotated).toMatchObject({ previousSecretHash: 's-d1', lastUsedAtMs: T0 + 1000, secretHash: `n${raced.indexOf(true)}` });
    expect(await s.devices.rotate(tenant, 'carol', 'd1', { oldHash: 's-d1', newHash: 'x', nowMs: T0 + 2000 })).toBe(false);
    expect(await s.devices.rotate(tenant, 'carol', 'd1', { oldHash: rotated?.secretHash ?? '', newHash: 'x', nowMs: T0 + 30 * DAY_MS })).toBe(false);
    expect(await s.devices.rotate(tenant, 'carol', 'gone', { oldHash: 's-gone', newHash: 'x', nowMs: T0 })).toBe(false);
  });
});
