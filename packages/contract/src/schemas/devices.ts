/** Trusted devices. */
import * as z from 'zod/mini';
import { isoTime } from './build';
import { UserId } from './common';

export const DeviceId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'deviceId is not a valid id'), z.meta({ description: 'Opaque deviceId made by the service' }));
export const DevicePath = z.object({ userId: UserId, deviceId: DeviceId });
export const DeviceList = z
  .object({
    devices: z.array(z.object({
        deviceId: DeviceId,
        label: z.string().check(z.meta({ description: 'Made from the User-Agent of the sign-in that remembered it, e.g. "Firefox on macOS"' })),
        createdAt: isoTime,
        lastUsedAt: z.nullable(isoTime).check(z.meta({ description: 'When it last let the user skip a code' })),
        expiresAt: isoTime.check(z.meta({ description: 'When the device stops being trusted (policy trustedDevices.days)' })),
      })),
  })
  .check(z.meta({ id: 'DeviceList' }));
