/** The login step: start a challenge, read its state. */
import { createChallenge, getChallenge } from '@twofold/core';
import type { CreateChallengeBody } from '@twofold/contract';
import { httpFunction } from '@twofold/runtime';

export const handler = httpFunction('challenge', {
  createChallenge: ({ deps, caller, params, body }) => createChallenge(deps, caller.tenantId, params.userId!, body as CreateChallengeBody),
  getChallenge: ({ deps, caller, params }) => getChallenge(deps, caller.tenantId, params.challengeId!),
});
