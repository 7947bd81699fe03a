/**
 * Trusted devices. `rememberDevice` on a successful verification returns a device token
 * (`td_<deviceId>.<secret>`, 256 random bits) stored only as a keyed hash bound to tenant and
 * user, expiring after the policy's `trustedDevices.days`. Each use rotates it: the challenge
 * answer carries the new token and the old one stops working, so a copied token is good once.
 * Token theft detection (as for rotated refresh tokens, RFC 9700 §4.14.2): a rotated-out token
 * presented again means two parties held it, the rightful one and a thief, and the server
 * cannot tell which is which; the device is revoked (`device.revoked`, reason `token_reuse`) and
 * both must verify again. A client that lost the answer of a rotation retries with its
 * Idempotency-Key and gets the same new token back, so a retry does not trip this.
 */
import type { Actor, CoreDeps } from '../deps';
import { fail } from '../errors';
import { keyedHash, type TenantKeys } from '../keyring';
import { sameHash } from '../factors/codes/otp-codes';
import type { TrustedDevice } from '../ports';
import { changeUser, type ChangeDeps } from '../users/user-change';

const TOKEN = /^td_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const DAY_MS = 86_400_000;

const secretHash = (keys: TenantKeys, tenantId: string, userId: string, secret: string) => keyedHash(keys.hashKey, tenantId, userId, `device:${secret}`);
const newSecret = (deps: Pick<CoreDeps, 'random'>) => Buffer.from(deps.random.bytes(32)).toString('base64url');

/** The IP of a sign-in, as a keyed hash: recognised later without storing the address. */
export const ipKeyOf = (keys: TenantKeys, tenantId: string, userId: string, ip: string) => keyedHash(keys.hashKey, tenantId, userId, `ip:${ip.trim().toLowerCase()}`).slice(0, 22);

export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = /(Edg|OPR|Chrome|Firefox|Safari)\/[\d.]+/.exec(userAgent)?.[1]?.replace('Edg', 'Edge').replace('OPR', 'Opera');
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(userAgent)?.[1]?.replace('Mac OS X', 'macOS');
  return [browser, os].filter(Boolean).join(' on ') || userAgent.slice(0, 64);
}

/** A new trusted device and its token; the caller commits the device with its change. */
export function newDevice(
  deps: Pick<CoreDeps, 'random'>,
  keys: TenantKeys,
  input: { tenantId: string; userId: string; label: string; days: number; nowMs: number },
): { record: TrustedDevice; token: string } {
  const deviceId = Buffer.from(deps.random.bytes(16)).toString('base64url');
  const secret = newSecret(deps);
  return {
    record: {
      deviceId,
      label: input.label,
      secretHash: secretHash(keys, input.tenantId, input.userId, secret),
      createdAtMs: input.nowMs,
      expiresAtMs: input.nowMs + input.days * DAY_MS,
    },
    token: `td_${deviceId}.${secret}`,
  };
}

/** Every trusted device and remembered IP of a user, to remove with a change (two-factor off). */
export async function allDevicesOf(deps: Pick<CoreDeps, 'devices'>, tenantId: string, userId: string): Promise<{ remove: string[]; forgetIps: string[] }> {
  const [devices, ips] = await Promise.all([deps.devices.list(tenantId, userId), deps.devices.ipKeys(tenantId, userId)]);
  return { remove: devices.map((d) => d.deviceId), forgetIps: ips.map((ip) => ip.ipKey) };
}

/**
 * Whether a sign-in's IP alone recognises the user (prompt `unrecognized_devices`: the product
 * pages allow a remembered cookie or IP): only while a device trusted from that IP is still
 * trusted. A revoked or expired device takes its network's trust with it.
 */
export async function recogniseIp(deps: Pick<CoreDeps, 'devices'>, input: { tenantId: string; userId: string; ipKey: string; nowMs: number }): Promise<boolean> {
  const deviceIds = await deps.devices.devicesOfIp(input.tenantId, input.userId, input.ipKey, input.nowMs);
  const devices = await Promise.all(deviceIds.map((id) => deps.devices.get(input.tenantId, input.userId, id)));
  return devices.some((d) => d !== undefined && d.expiresAtMs > input.nowMs);
}

/** A valid token of this user: rotated, and the new token returned; anything else: undefined. */
export async function recogniseDevice(
  deps: Pick<CoreDeps, 'devices'> & ChangeDeps,
  keys: TenantKeys,
  input: { tenantId: string; userId: string; token: string; nowMs: number },
): Promise<string | undefined> {
  const parts = TOKEN.exec(input.token);
  if (!parts) return undefined;
  const [, deviceId, secret] = parts as unknown as [string, string, string];
  const device = await deps.devices.get(input.tenantId, input.userId, deviceId);
  const oldHash = secretHash(keys, input.tenantId, input.userId, secret);
  if (device?.previousSecretHash && sameHash(device.previousSecretHash, oldHash)) {
    // a rotated-out token is back (a copy was taken): revoke the device, once however many replays race
    const { tenantId, userId } = input;
    // with the IPs learnt with it: the network of a stolen device's trust is not trusted either
    await changeUser(deps, tenantId, userId, async () => {
      const [stolen, ips] = await Promise.all([deps.devices.get(tenantId, userId, deviceId), deps.devices.ipKeys(tenantId, userId)]);
      const forgetIps = ips.filter((ip) => ip.deviceIds.includes(deviceId)).map((ip) => ip.ipKey);
      if (!stolen && forgetIps.length === 0) return { result: undefined };
      return {
        change: { devices: { remove: stolen ? [deviceId] : [], forgetIps } },
        events: stolen ? [{ type: 'device.revoked', tenantId, userId, actor: 'system', detail: { deviceId, reason: 'token_reuse' } }] : [],
        result: undefined,
      };
    });
    return undefined;
  }
  if (!device || device.expiresAtMs <= input.nowMs || !sameHash(device.secretHash, oldHash)) return undefined;
  const next = newSecret(deps);
  // one conditional write: of two uses of the same token, only one rotates it
  const rotated = await deps.devices.rotate(input.tenantId, input.userId, deviceId, {
    oldHash,
    newHash: secretHash(keys, input.tenantId, input.userId, next),
    nowMs: input.nowMs,
  });
  return rotated ? `td_${deviceId}.${next}` : undefined;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function listDevices(deps: Pick<CoreDeps, 'clock' | 'devices'>, tenantId: string, userId: string) {
  const now = deps.clock.nowMs();
  const devices = await deps.devices.list(tenantId, userId);
  return {
    devices: devices
      .filter((d) => d.expiresAtMs > now)
      .map((d) => ({ deviceId: d.deviceId, label: d.label, createdAt: iso(d.createdAtMs)!, lastUsedAt: iso(d.lastUsedAtMs), expiresAt: iso(d.expiresAtMs)! })),
  };
}

export async function revokeDevice(deps: Pick<CoreDeps, 'devices'> & ChangeDeps, tenantId: string, userId: string, deviceId: string, actor: Actor = 'user'): Promise<void> {
  await changeUser(deps, tenantId, userId, async () => {
    if (!(await deps.devices.get(tenantId, userId, deviceId))) fail('device_not_found', `No device ${deviceId} for this user.`);
    return { change: { devices: { remove: [deviceId] } }, events: [{ type: 'device.revoked', tenantId, userId, actor, detail: { deviceId } }], result: undefined };
  });
}

export async function revokeAllDevices(deps: Pick<CoreDeps, 'devices'> & ChangeDeps, tenantId: string, userId: string, actor: Actor = 'user'): Promise<number> {
  return changeUser(deps, tenantId, userId, async () => {
    const all = await allDevicesOf(deps, tenantId, userId);
    const count = all.remove.length;
    if (count === 0 && all.forgetIps.length === 0) return { result: 0 };
    return { change: { devices: all }, events: count > 0 ? [{ type: 'device.revoked', tenantId, userId, actor, detail: { count } }] : [], result: count };
  });
}
