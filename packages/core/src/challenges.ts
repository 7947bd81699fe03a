/**
 * The login step. After the client app has checked the password it asks for a challenge; the
 * answer says whether a second factor is required and with which methods.
 */
import type { ChallengeCreated, Challenge, CreateChallengeBody, Method } from '@twofold/contract/schemas';
import type { CoreDeps } from './deps';
import { fail } from './errors';
import { newId } from './ids';
import { attemptsRemaining, lockStateOf } from './lockout';
import type { ChallengeRecord, UserAggregate } from './records';

const iso = (ms: number) => new Date(ms).toISOString();

/** The methods a user can answer a challenge with, best first. */
export function usableMethods(user: UserAggregate): Method[] {
  const methods = new Set<Method>();
  for (const type of ['totp', 'sms', 'email'] as const) {
    if (user.factors.some((f) => f.status === 'active' && f.type === type)) methods.add(type);
  }
  if (methods.size > 0 && (user.recovery?.hashes.length ?? 0) > 0) methods.add('recovery_code');
  return [...methods];
}

export async function createChallenge(
  deps: CoreDeps,
  tenantId: string,
  userId: string,
  body: CreateChallengeBody,
): Promise<ChallengeCreated> {
  const now = deps.clock.nowMs();
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  const { policy } = tenant;
  const notRequired = (reason: ChallengeCreated['reason']): ChallengeCreated => ({
    challengeId: null,
    required: false,
    reason,
    methods: [],
    method: null,
    expiresAt: null,
  });
  if (!policy.enabled) return notRequired('two_factor_disabled');
  const methods = usableMethods(user);
  if (methods.length === 0) return notRequired('not_enrolled');

  const method: Method = body.method ?? (methods.includes(policy.methods.default) ? policy.methods.default : methods[0]!);
  if (!methods.includes(method)) {
    fail('method_not_available', `The user cannot use ${method}; usable methods: ${methods.join(', ')}.`);
  }
  const challenge: ChallengeRecord = {
    challengeId: newId(deps.random, 'ch'),
    tenantId,
    userId,
    method,
    status: 'pending',
    createdAtMs: now,
    expiresAtMs: now + policy.codeTimeoutSeconds * 1000,
    limits: { maxInvalidAttempts: policy.maxInvalidAttempts, lockoutSeconds: policy.lockoutSeconds, totpWindow: policy.totp.window },
  };
  await deps.challenges.create(challenge);
  return {
    challengeId: challenge.challengeId,
    required: true,
    reason: 'two_factor_enabled',
    methods,
    method,
    expiresAt: iso(challenge.expiresAtMs),
  };
}

export async function getChallenge(deps: CoreDeps, tenantId: string, challengeId: string): Promise<Challenge> {
  const now = deps.clock.nowMs();
  const challenge = (await deps.challenges.get(tenantId, challengeId)) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  const user = await deps.users.load(tenantId, challenge.userId);
  const lock = lockStateOf(user.failures, now);
  const status: Challenge['status'] =
    challenge.status === 'verified' ? 'verified' : now >= challenge.expiresAtMs ? 'expired' : lock.locked ? 'locked' : 'pending';
  return {
    challengeId,
    userId: challenge.userId,
    status,
    method: challenge.verifiedMethod ?? challenge.method,
    expiresAt: iso(challenge.expiresAtMs),
    verifiedAt: challenge.verifiedAtMs === undefined ? null : iso(challenge.verifiedAtMs),
    attemptsRemaining: attemptsRemaining(lock, challenge.limits.maxInvalidAttempts),
  };
}
