import type { DeviceStore, RememberedIp, TrustedDevice } from '@twofold/core/ports';
import type { MemoryTables } from './memory-tables';

/** Trusted devices and remembered IPs; added and removed by user changes (MemoryUserStore), rotated here. */
export class MemoryDeviceStore implements DeviceStore {
  constructor(private readonly tables: MemoryTables) {}

  async get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined> {
    const device = this.tables.devices.get(`${tenantId}#${userId}`)?.devices.get(deviceId);
    return device && structuredClone(device);
  }

  async rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean> {
    const device = this.tables.devices.get(`${tenantId}#${userId}`)?.devices.get(deviceId);
    if (!device || device.secretHash !== change.oldHash || device.expiresAtMs <= change.nowMs) return false;
    device.secretHash = change.newHash;
    device.previousSecretHash = change.oldHash;
    device.lastUsedAtMs = change.nowMs;
    return true;
  }

  async list(tenantId: string, userId: string): Promise<TrustedDevice[]> {
    const devices = this.tables.devices.get(`${tenantId}#${userId}`)?.devices.values() ?? [];
    return [...devices].map((d) => structuredClone(d)).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async ipKeys(tenantId: string, userId: string): Promise<RememberedIp[]> {
    const ips = this.tables.devices.get(`${tenantId}#${userId}`)?.ips ?? new Map<string, { deviceIds: Set<string> }>();
    return [...ips].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ipKey, ip]) => ({ ipKey, deviceIds: [...ip.deviceIds] }));
  }

  async devicesOfIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<string[]> {
    const ip = this.tables.devices.get(`${tenantId}#${userId}`)?.ips.get(ipKey);
    return ip && ip.keepUntilMs > nowMs ? [...ip.deviceIds] : [];
  }
}
