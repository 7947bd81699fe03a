/** Trusted devices: list and revoke. */
import { actorOf, listDevices, revokeAllDevices, revokeDevice } from '@twofold/core';
import { devicesRoutes } from '@twofold/contract/routes/devices';
import { httpFunction, wire } from '@twofold/runtime';
import { admitTenant, authenticate, clock, devices, outbox, publisher, random, tenant, users } from '@twofold/runtime/parts';

export const handler = httpFunction(devicesRoutes, wire({ authenticate, admitTenant, clock, random, devices, outbox, publisher, tenant, users }), {
  listDevices: ({ deps, caller, params }) => listDevices(deps, caller.tenantId, params.userId),
  revokeDevice: ({ deps, caller, params }) => revokeDevice(deps, caller.tenantId, params.userId, params.deviceId, actorOf(caller)),
  revokeAllDevices: async ({ deps, caller, params }) => {
    await revokeAllDevices(deps, caller.tenantId, params.userId, actorOf(caller));
  },
});
