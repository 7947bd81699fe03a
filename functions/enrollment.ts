/** Users, factors, recovery codes and turning two-factor off. */
import {
  actorOf,
  checkFreshVerification,
  confirmFactor,
  disableTwoFactor,
  eraseUser,
  getUser,
  listFactors,
  putUser,
  recoveryCodesRemaining,
  regenerateRecoveryCodes,
  removeFactor,
  startFactorEnrollment,
} from '@twofold/core';
import { enrollmentRoutes } from '@twofold/contract/routes/enrollment';
import { httpFunction, wire } from '@twofold/runtime';
import { assertions, admitTenant, authenticate, clock, devices, email, keyRing, outbox, publisher, random, sendLimits, sms, stats, tenant, throttle, users } from '@twofold/runtime/parts';

// the parts its use cases take, and the assertion signer for the routes that need a fresh verification
const wiring = wire({ authenticate, admitTenant, clock, random, tenant, users, stats, devices, keyRing, throttle, sendLimits, sms, email, outbox, publisher, assertions });

export const handler = httpFunction(enrollmentRoutes, wiring, {
  putUser: ({ deps, caller, params, body }) => putUser(deps, caller.tenantId, params.userId, body),
  getUser: ({ deps, caller, params }) => getUser(deps, caller.tenantId, params.userId),
  deleteUser: ({ deps, caller, params }) => eraseUser(deps, caller.tenantId, params.userId, actorOf(caller)),
  disableTwoFactor: ({ deps, caller, params, fresh }) => disableTwoFactor(deps, caller.tenantId, params.userId, { actor: actorOf(caller), fresh }),
  createFactor: ({ deps, caller, params, body }) => startFactorEnrollment(deps, caller.tenantId, params.userId, body),
  listFactors: ({ deps, caller, params }) => listFactors(deps, caller.tenantId, params.userId),
  verifyFactor: ({ deps, caller, params, body }) =>
    confirmFactor(deps, caller.tenantId, params.userId, params.factorId, body),
  deleteFactor: ({ deps, caller, params, fresh }) => removeFactor(deps, caller.tenantId, params.userId, params.factorId, actorOf(caller), fresh),
  getRecoveryCodes: ({ deps, caller, params, fresh }) => recoveryCodesRemaining(deps, caller.tenantId, params.userId, { fresh, actor: actorOf(caller) }),
  regenerateRecoveryCodes: ({ deps, caller, params, fresh }) => regenerateRecoveryCodes(deps, caller.tenantId, params.userId, actorOf(caller), fresh),
}, { freshVerification: checkFreshVerification });
