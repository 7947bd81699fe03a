export interface TrustedDevice {
  deviceId: string;
  label: string;
  /** Keyed hash of the token's secret; the token itself is never stored. */
  secretHash: string;
  /** Keyed hash of the secret the last rotation replaced: that token coming back means one copy was stolen. */
  previousSecretHash?: string;
  createdAtMs: number;
  lastUsedAtMs?: number;
  expiresAtMs: number;
}

/**
 * Trusted devices and the IP addresses of a user's verified sign-ins (both keyed hashes). Adding
 * and removing them is part of a UserChange (with their events); a token's rotation on use is a
 * conditional write of its own.
 */
export interface DeviceStore {
  get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined>;
  /** Swaps the token's secret (keeping `oldHash` as the previous one); false when `oldHash` is no longer current or the device expired or is gone. */
  rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean>;
  list(tenantId: string, userId: string): Promise<TrustedDevice[]>;
  /** The IPs remembered for the user (keyed hashes), each with the devices trusted from it. */
  ipKeys(tenantId: string, userId: string): Promise<RememberedIp[]>;
  /** The devices trusted from this IP while it is remembered (none: not remembered). */
  devicesOfIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<string[]>;
}

export interface RememberedIp {
  ipKey: string;
  deviceIds: string[];
}
