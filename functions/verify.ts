/** Answering a challenge: the hot path of every login. */
import { verifyChallenge } from '@twofold/core';
import type { VerifyChallengeBody } from '@twofold/contract';
import { httpFunction } from '@twofold/runtime';

export const handler = httpFunction('verify', {
  verifyChallenge: ({ deps, caller, params, body }) => verifyChallenge(deps, caller.tenantId, params.challengeId!, body as VerifyChallengeBody),
});
