/** The tenant's policy and its admins' operations: users, unlock, reset, recovery codes, overview, audit trail. */
import { adminRegenerateRecoveryCodes, auditTrail, getPolicy, listUsers, overview, putPolicy, resetUser, unlockUser } from '@twofold/core';
import type { AdminUserQuery, AuditQuery, Policy } from '@twofold/contract';
import { adminRoutes } from '@twofold/contract/routes/admin';
import { httpFunction, wire } from '@twofold/runtime';
import { clock, devices, forgetTenant, grace, keyRing, outbox, publisher, random, sms, stats, tenant, tenants, users } from '@twofold/runtime/parts';

// the policy check asks whether SMS exists (sms); the function never sends
const wiring = wire({ clock, random, tenant, tenants, forgetTenant, users, stats, grace, devices, keyRing, outbox, publisher, sms });

export const handler = httpFunction(adminRoutes, wiring, {
  getPolicy: ({ deps, caller }) => getPolicy(deps, caller.tenantId),
  putPolicy: ({ deps, caller, body }) => putPolicy(deps, caller.tenantId, body as Policy),
  listUsers: ({ deps, caller, query }) => listUsers(deps, caller.tenantId, query as unknown as AdminUserQuery),
  unlockUser: ({ deps, caller, params }) => unlockUser(deps, caller.tenantId, params.userId!),
  resetUser: ({ deps, caller, params }) => resetUser(deps, caller.tenantId, params.userId!),
  adminRegenerateRecoveryCodes: ({ deps, caller, params }) => adminRegenerateRecoveryCodes(deps, caller.tenantId, params.userId!),
  overview: ({ deps, caller }) => overview(deps, caller.tenantId),
  audit: ({ deps, caller, query }) => auditTrail(deps, caller.tenantId, query as unknown as AuditQuery),
});
