/** Trusted devices: list and revoke. */
import { actorOf, listDevices, revokeAllDevices, revokeDevice } from '@twofold/core';
import { httpFunction } from '@twofold/runtime';

export const handler = httpFunction('devices', {
  listDevices: ({ deps, caller, params }) => listDevices(deps, caller.tenantId, params.userId!),
  revokeDevice: ({ deps, caller, params }) => revokeDevice(deps, caller.tenantId, params.userId!, params.deviceId!, actorOf(caller)),
  revokeAllDevices: async ({ deps, caller, params }) => {
    await revokeAllDevices(deps, caller.tenantId, params.userId!, actorOf(caller));
  },
});
