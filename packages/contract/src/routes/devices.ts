/** Trusted devices. */
import { DeviceList, DevicePath, UserPath } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const devicesRoutes = [
  route('listDevices', { scope: 'app', summary: "The user's trusted devices", params: UserPath, response: DeviceList, status: 200 }),
  route('revokeDevice', { scope: 'app', summary: 'Stop trusting a device', params: DevicePath, status: 204, errors: ['device_not_found'] }),
  route('revokeAllDevices', { scope: 'app', summary: 'Stop trusting every device of the user', params: UserPath, status: 204 }),
] as const satisfies readonly RouteDefinition[];
