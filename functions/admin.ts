/** The tenant's policy and its admins' operations: users, unlock, reset, recovery codes, overview, audit trail, API keys, imports. */
import { adminRegenerateRecoveryCodes, auditTrail, createApiKey, getPolicy, importUsers, listApiKeys, listUsers, overview, patchPolicy, putPolicy, resetUser, revokeApiKey, unlockUser } from '@twofold/core';
import { adminRoutes } from '@twofold/contract/routes/admin';
import { httpFunction, wire } from '@twofold/runtime';
import { apiKeys, admitTenant, authenticate, clock, devices, forgetApiKey, forgetTenant, grace, keyRing, outbox, publisher, random, sms, stats, tenant, tenants, users } from '@twofold/runtime/parts';

// the policy check asks whether SMS exists (sms); the function never sends
const wiring = wire({ authenticate, admitTenant, apiKeys, forgetApiKey, clock, random, tenant, tenants, forgetTenant, users, stats, grace, devices, keyRing, outbox, publisher, sms });

export const handler = httpFunction(adminRoutes, wiring, {
  getPolicy: ({ deps, caller }) => getPolicy(deps, caller.tenantId),
  putPolicy: ({ deps, caller, body }) => putPolicy(deps, caller.tenantId, body),
  patchPolicy: ({ deps, caller, body }) => patchPolicy(deps, caller.tenantId, body),
  listUsers: ({ deps, caller, query }) => listUsers(deps, caller.tenantId, query),
  unlockUser: ({ deps, caller, params }) => unlockUser(deps, caller.tenantId, params.userId),
  resetUser: ({ deps, caller, params }) => resetUser(deps, caller.tenantId, params.userId),
  adminRegenerateRecoveryCodes: ({ deps, caller, params }) => adminRegenerateRecoveryCodes(deps, caller.tenantId, params.userId),
  overview: ({ deps, caller }) => overview(deps, caller.tenantId),
  audit: ({ deps, caller, query }) => auditTrail(deps, caller.tenantId, query),
  listApiKeys: ({ deps, caller }) => listApiKeys(deps, caller.tenantId),
  createApiKey: ({ deps, caller, body }) => createApiKey(deps, caller.tenantId, body),
  revokeApiKey: ({ deps, caller, params }) => revokeApiKey(deps, caller.tenantId, params.keyId),
  importUsers: ({ deps, caller, body }) => importUsers(deps, caller.tenantId, body),
});
