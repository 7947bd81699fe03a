/** Trusted devices. */
import * as z from 'zod/mini';
import { isoTime } from './build';
import { UserId } from './common';

export const DeviceId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'deviceId is not a valid id'));
export const DevicePath = z.object({ userId: UserId, deviceId: DeviceId });
export const DeviceList = z
  .object({
    devices: z.array(z.object({ deviceId: DeviceId, label: z.string(), createdAt: isoTime, lastUsedAt: z.nullable(isoTime), expiresAt: isoTime })),
  })
  .check(z.meta({ id: 'DeviceList' }));
