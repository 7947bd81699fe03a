/** Answering a challenge: the hot path of every login. */
import { verifyChallenge } from '@twofold/core';
import { verifyRoutes } from '@twofold/contract/routes/verify';
import { httpFunction, wire } from '@twofold/runtime';
import { assertions, admitTenant, authenticate, challenges, clock, devices, keyRing, outbox, publisher, random, stats, tenant, users } from '@twofold/runtime/parts';

// the parts verifyChallenge takes: only their adapters are bundled
const wiring = wire({ authenticate, admitTenant, clock, random, tenant, users, stats, challenges, devices, keyRing, assertions, outbox, publisher });

export const handler = httpFunction(verifyRoutes, wiring, {
  verifyChallenge: ({ deps, caller, params, body }) => verifyChallenge(deps, caller.tenantId, params.challengeId, body),
});
