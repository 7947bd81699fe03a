/** The login step: start a challenge, read it, send its code again. */
import { createChallenge, getChallenge, resendChallenge } from '@twofold/core';
import { challengeRoutes } from '@twofold/contract/routes/challenge';
import { httpFunction, wire, withIdempotencyKey, type IdempotencyDeps, type OperationInput } from '@twofold/runtime';
import { admitTenant, authenticate, challenges, clock, config, devices, email, idempotencyRecords, keyRing, outbox, publisher, random, sendLimits, sms, tenant, throttle, users } from '@twofold/runtime/parts';

// the parts its use cases take (users: a reused device token revokes its device, with its event),
// and where the Idempotency-Key records are kept
const wiring = wire({ authenticate, admitTenant, clock, random, tenant, users, challenges, devices, keyRing, throttle, sendLimits, sms, email, outbox, publisher, idempotencyRecords, config });

/** Challenge creation and resend send messages: an Idempotency-Key makes a retry send none. */
const keyed = <T>(input: OperationInput<IdempotencyDeps>, operation: string, run: () => Promise<T>) =>
  withIdempotencyKey(
    input.deps,
    { key: input.headers['idempotency-key'], tenantId: input.caller.tenantId, operation, payload: { params: input.params, body: input.body }, context: input.context },
    run,
  );

export const handler = httpFunction(challengeRoutes, wiring, {
  createChallenge: (input) =>
    keyed(input, 'createChallenge', () => createChallenge(input.deps, input.caller.tenantId, input.params.userId, input.body)),
  getChallenge: ({ deps, caller, params }) => getChallenge(deps, caller.tenantId, params.challengeId),
  resendChallenge: (input) =>
    keyed(input, 'resendChallenge', () => resendChallenge(input.deps, input.caller.tenantId, input.params.challengeId, input.body)),
});
