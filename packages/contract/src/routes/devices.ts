/** Trusted devices. */
import { DeviceList, DevicePath, UserPath } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const devicesRoutes = [
  route({ operationId: 'listDevices', method: 'GET', path: '/v1/users/{userId}/devices', fn: 'devices', scope: 'app', summary: "The user's trusted devices", params: UserPath, response: DeviceList, status: 200 }),
  route({ operationId: 'revokeDevice', method: 'DELETE', path: '/v1/users/{userId}/devices/{deviceId}', fn: 'devices', scope: 'app', summary: 'Stop trusting a device', params: DevicePath, status: 204, errors: ['device_not_found'] }),
  route({ operationId: 'revokeAllDevices', method: 'DELETE', path: '/v1/users/{userId}/devices', fn: 'devices', scope: 'app', summary: 'Stop trusting every device of the user', params: UserPath, status: 204 }),
] as const satisfies readonly RouteDefinition[];
