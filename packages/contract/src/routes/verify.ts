/** Answering a challenge: the hot path of every login. */
import { ChallengePath, ChallengeVerified, VerifyChallengeBody } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const verifyRoutes = [
  route('verifyChallenge', { scope: 'app', summary: 'Answer a challenge with a code, a recovery code or a passkey (webauthn)', params: ChallengePath, body: VerifyChallengeBody, response: ChallengeVerified, status: 200, errors: ['challenge_not_found', 'invalid_code', 'invalid_credential', 'locked', 'challenge_expired', 'challenge_already_verified', 'method_not_available', 'phone_number_not_allowed'] }),
] as const satisfies readonly RouteDefinition[];
