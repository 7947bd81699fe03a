/** The login step: start a challenge, read it, send its code again. */
import { Challenge, ChallengeCreated, ChallengePath, ChallengeResent, CreateChallengeBody, ResendBody, UserPath } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const challengeRoutes = [
  route('createChallenge', { scope: 'app', summary: 'Start the login step: decides whether a second factor is required', params: UserPath, body: CreateChallengeBody, response: ChallengeCreated, status: 201, errors: ['method_not_available', 'rate_limited', 'delivery_failed', 'idempotency_in_progress', 'idempotency_key_reused'] }),
  route('resendChallenge', { scope: 'app', summary: 'Send a new code (the old one stops working), or switch to another method', params: ChallengePath, body: ResendBody, response: ChallengeResent, status: 202, errors: ['challenge_not_found', 'challenge_expired', 'challenge_already_verified', 'resend_limit_reached', 'rate_limited', 'method_not_available', 'delivery_failed', 'idempotency_in_progress', 'idempotency_key_reused'] }),
  route('getChallenge', { scope: 'app', summary: 'A challenge and its state', params: ChallengePath, response: Challenge, status: 200, errors: ['challenge_not_found'] }),
] as const satisfies readonly RouteDefinition[];
