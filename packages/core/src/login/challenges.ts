/**
 * The login step. After the client app has checked the password it asks for a challenge; the
 * answer says whether a second factor is required and with which methods. For SMS and email
 * the code is sent now; a resend sends a new one (the old one stops working) or switches to
 * another of the user's methods when the policy allows fallback.
 */
import type { Challenge, ChallengeCreated, ChallengeResent, CreateChallengeBody, Method, Policy, ResendBody } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { isRecoveryPhone } from '../factors/codes/destinations';
import { factorFor } from '../factors/codes/code-kinds';
import type { ChallengeDeps, ChallengeStep } from '../factors/factor-kind';
import { kindOf } from '../factors/kinds';
import { deviceLabel, ipKeyOf, recogniseDevice, recogniseIp } from './devices';
import { enforcementOf, enrollmentDue } from '../users/enforcement';
import { fail } from '../errors';
import { newChallengeId, userIdOfChallenge } from '../ids';
import type { TenantKeys } from '../keyring';
import { attemptsRemaining, lockStateOf } from './lockout';
import { RESEND_COOLDOWN_SECONDS } from '../factors/codes/otp-codes';
import type { SendTicket, UserReader } from '../ports';
import type { ChallengeLimits, ChallengeRecord, TenantRecord, UserAggregate } from '../records';
import { permittedActiveFactors } from '../factors/method-rules';
import { newWebauthnLoginChallenge } from '../factors/webauthn/webauthn-login';
import type { ChangeDeps } from '../users/user-change';

const iso = (ms: number) => new Date(ms).toISOString();

/** Challenges only read users (the login step changes nothing of theirs): a reader will do. */
type ReadsUsers = { users: UserReader };
/** What a challenge's first step takes (factor-kind.ts): the tenant's keys, the send throttle, the senders. */
type CodeDeps = ChallengeDeps;

/** Whether a remembered device spares an enrolled user the code (the policy's `prompt`); under `every_login` it never does. */
export const rememberedDevicesSkipTheCode = (policy: Pick<Policy, 'prompt'>) => policy.prompt === 'unrecognized_devices';

/**
 * The methods a user can answer a challenge with, best first: of their active factors, those of
 * a type the policy allows now (a method the tenant dropped is neither offered nor accepted,
 * whenever the factor was enrolled; an emergency recovery phone, enrolled outside the login
 * methods, stays) and its role rules let them use, and recovery codes alongside. A passkey stays
 * a method even if the policy no longer names a relying party (its challenges then carry no
 * options and refuse every response).
 */
export function usableMethods(user: UserAggregate, policy: Policy): Method[] {
  const methods = new Set<Method>();
  const allowed = new Set<string>(policy.methods.allowed);
  const active = permittedActiveFactors(policy, user).filter((f) => allowed.has(f.type) || isRecoveryPhone(f));
  for (const type of ['webauthn', 'totp', 'sms', 'email'] as const) {
    if (active.some((f) => f.type === type)) methods.add(type);
  }
  if (methods.size > 0 && (user.recovery?.hashes.length ?? 0) > 0) methods.add('recovery_code');
  return [...methods];
}

/** The method a challenge starts with: the one asked for, else the policy's default, else the best the user has. */
function chooseMethod(tenant: TenantRecord, user: UserAggregate, methods: Method[], asked: Method | undefined): Method {
  if (asked) {
    if (!methods.includes(asked)) fail('method_not_available', `The user cannot use ${asked}; usable methods: ${methods.join(', ')}.`);
    return asked;
  }
  const preferred = tenant.policy.methods.default;
  if (methods.includes(preferred) && (preferred === 'totp' || preferred === 'webauthn' || !isRecoveryPhone(factorFor(user, preferred)))) return preferred;
  // a recovery phone is for emergencies: never the default
  return methods.find((m) => m !== 'recovery_code' && !(m === 'sms' && isRecoveryPhone(factorFor(user, 'sms')))) ?? methods[0]!;
}

/**
 * A user's login item keeps their live challenges only (every login writes it: it must stay
 * small). A new challenge takes out the ones answered or expired for a minute; a pending one is
 * never taken out for a newer one (a flood of new challenges would cancel the user's login):
 * past MAX_PENDING_CHALLENGES pending ones a new challenge is refused until the oldest ends.
 */
export const MAX_PENDING_CHALLENGES = 20;
const KEEP_ENDED_MS = 60_000;
/**
 * Rounds lost to challenges other requests added first, before answering 503. A round is lost
 * only to another request's added challenge, and after MAX_PENDING_CHALLENGES of those the
 * limit answers (429), so that many parallel starts all end in a 201 or a 429; the rounds past
 * it leave room for challenges answered meanwhile.
 */
const MAX_ADD_ROUNDS = MAX_PENDING_CHALLENGES + 5;
function staleChallenges(user: UserAggregate, nowMs: number): string[] {
  const ended = (c: ChallengeRecord) => (c.status === 'verified' ? (c.verifiedAtMs ?? 0) : c.expiresAtMs) + KEEP_ENDED_MS <= nowMs;
  return user.challenges.filter(ended).map((c) => c.challengeId);
}

/** 429 while the user has MAX_PENDING_CHALLENGES pending challenges: until the first of them expires. */
function refuseOverLimit(user: UserAggregate, nowMs: number): void {
  const pending = user.challenges.filter((c) => c.status === 'pending' && c.expiresAtMs > nowMs);
  if (pending.length < MAX_PENDING_CHALLENGES) return;
  const firstEnds = Math.min(...pending.map((c) => c.expiresAtMs));
  fail('rate_limited', 'Too many logins are waiting for this user; answer one or try again later.', { retryAfterSeconds: Math.max(1, Math.ceil((firstEnds - nowMs) / 1000)) });
}

/**
 * Adds the challenge in one conditional write: only if no other challenge was added since the
 * read (the login item's challenge revision), so that racing requests cannot pass the limit
 * together; a loser reads again and checks the limit on what the winners left.
 */
async function addChallenge(deps: Pick<CoreDeps, 'challenges'> & Pick<ChangeDeps, 'users'>, read: UserAggregate, challenge: ChallengeRecord, nowMs: number): Promise<void> {
  let user = read;
  for (let round = 0; round < MAX_ADD_ROUNDS; round++) {
    refuseOverLimit(user, nowMs);
    if (await deps.challenges.create(challenge, staleChallenges(user, nowMs), user.challengeRevision ?? 0)) return;
    user = await deps.users.load(challenge.tenantId, challenge.userId);
    // the write took effect after all (its answer was lost, and a retry of it was refused)
    if (user.challenges.some((c) => c.challengeId === challenge.challengeId)) return;
  }
  fail('service_unavailable', 'Many logins are starting for this user at once; retry shortly.', { retryAfterSeconds: 1 });
}

/** The limits of a challenge under a policy: copied when it starts. */
export function limitsOf(policy: Policy): ChallengeLimits {
  return {
    maxInvalidAttempts: policy.maxInvalidAttempts,
    lockoutSeconds: policy.lockoutSeconds,
    totpWindow: policy.totp.window,
    codeTimeoutSeconds: policy.codeTimeoutSeconds,
    resendLimit: policy.resendLimit,
    allowFallback: policy.methods.allowFallback,
    trustedDeviceDays: policy.trustedDevices.enabled ? policy.trustedDevices.days : null,
  };
}

const lower = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/**
 * The challenge with the stricter of its own limits and the policy's now, at each answer and
 * resend: a policy made stricter reaches the challenges already open (fewer attempts, a longer
 * lock, a narrower TOTP window, fewer resends, no fallback, shorter trust), and a policy made
 * looser waits for the next challenge.
 */
export function underPolicyNow(challenge: ChallengeRecord, policy: Policy): ChallengeRecord {
  const a = challenge.limits;
  const b = limitsOf(policy);
  const limits: ChallengeLimits = {
    maxInvalidAttempts: lower(a.maxInvalidAttempts, b.maxInvalidAttempts),
    lockoutSeconds: Math.max(a.lockoutSeconds, b.lockoutSeconds),
    totpWindow: Math.min(a.totpWindow, b.totpWindow),
    codeTimeoutSeconds: Math.min(a.codeTimeoutSeconds, b.codeTimeoutSeconds),
    resendLimit: lower(a.resendLimit, b.resendLimit),
    allowFallback: a.allowFallback && b.allowFallback,
    trustedDeviceDays: a.trustedDeviceDays === null || b.trustedDeviceDays === null ? null : Math.min(a.trustedDeviceDays, b.trustedDeviceDays),
  };
  return { ...challenge, limits };
}

/** The challenge and its user, from one read of the user's partition (the id leads to it). */
async function challengeOf(deps: ReadsUsers, tenantId: string, challengeId: string): Promise<{ challenge: ChallengeRecord; user: UserAggregate }> {
  const userId = userIdOfChallenge(challengeId) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  const user = await deps.users.load(tenantId, userId);
  const challenge = user.challenges.find((c) => c.challengeId === challengeId) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  return { challenge, user };
}

export async function createChallenge(
  // users changed only when a stolen device token is caught (the device is revoked)
  deps: Pick<CoreDeps, 'challenges' | 'devices'> & ChangeDeps & CodeDeps,
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
  const methods = usableMethods(user, policy);
  const enforcement = enforcementOf(tenant, user, now);
  const grace = enforcement.graceEndsAtMs !== null ? { graceEndsAt: iso(enforcement.graceEndsAtMs) } : {};
  // a user whose factors the policy no longer allows is one who must enrol again, not one without 2FA
  const stranded = methods.length === 0 && user.factors.some((f) => f.status === 'active');
  const due = enrollmentDue(tenant, user, now) ?? (stranded ? [...policy.methods.allowed] : undefined);
  // past the grace period without a factor: the user must enroll before using the app
  if (methods.length === 0 && due) {
    return { ...notRequired('enrollment_required'), required: true, enrollmentRequired: true, enrollmentMethods: due, ...grace };
  }
  const context = body.context ?? {};
  const keys = await deps.keyRing.keysFor(tenant);
  const ipKey = context.ip ? ipKeyOf(keys, tenantId, userId, context.ip) : undefined;
  const recognise = () => recogniseContext(deps, keys, { tenantId, userId, deviceToken: context.deviceToken, ipKey, nowMs: now });

  let method: Method;
  let purpose: ChallengeRecord['purpose'];
  if (methods.length === 0) {
    // a user without 2FA: an email code on an unrecognized device, where the policy asks for it
    if (!(policy.emailCodeOnUnrecognizedDevice && user.profile?.email && deps.email)) return { ...notRequired('not_enrolled'), ...grace };
    const seen = await recognise();
    if (seen.recognised) return { ...notRequired('recognized_device'), ...(seen.deviceToken ? { deviceToken: seen.deviceToken } : {}) };
    method = 'email';
    purpose = 'new_device';
  } else {
    // an enrollment due (an authenticator app the policy requires) is never skipped for a known device
    if (rememberedDevicesSkipTheCode(policy) && !due) {
      const seen = await recognise();
      if (seen.recognised) return { ...notRequired('recognized_device'), methods, ...(seen.deviceToken ? { deviceToken: seen.deviceToken } : {}) };
    }
    method = chooseMethod(tenant, user, methods, body.method);
  }
  const challenge: ChallengeRecord = {
    challengeId: newChallengeId(deps.random, userId),
    tenantId,
    userId,
    method,
    status: 'pending',
    createdAtMs: now,
    expiresAtMs: now + policy.codeTimeoutSeconds * 1000,
    resends: 0,
    ...(purpose ? { purpose } : {}),
    ...(ipKey ? { ipKey } : {}),
    ...(context.userAgent ? { deviceLabel: deviceLabel(context.userAgent) } : {}),
    ...(body.audience !== undefined ? { audience: body.audience } : {}),
    ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
    limits: limitsOf(policy),
  };
  // a user with a passkey: the challenge it must sign is kept on the challenge (a resend may switch to it)
  const passkeyChallenge = methods.includes('webauthn') ? newWebauthnLoginChallenge(deps, tenant) : undefined;
  if (passkeyChallenge) challenge.webauthnChallenge = passkeyChallenge;
  // refused before a code is sent (and again, on what it reads then, by the write)
  refuseOverLimit(user, now);
  const step = await challengeStep(deps, tenant, user, challenge, now);
  const code = step.code && (await step.code());
  if (code) {
    Object.assign(challenge, code.fields);
    await releasingOnFailure(deps, code.ticket, () => addChallenge(deps, user, challenge, now));
    // the challenge is only useful with its code: if the code cannot go out, the challenge goes too
    await code.send(() => deps.challenges.deletePending(tenantId, userId, challenge.challengeId));
  } else {
    await addChallenge(deps, user, challenge, now);
  }
  return {
    challengeId: challenge.challengeId,
    required: true,
    reason: purpose === 'new_device' ? 'unrecognized_device' : due ? 'enrollment_required' : 'two_factor_enabled',
    methods: purpose === 'new_device' ? ['email'] : methods,
    method,
    expiresAt: iso(challenge.expiresAtMs),
    ...(code ? { destination: code.destination } : {}),
    ...(step.options ? { options: step.options } : {}),
    // verify first, then send the user to enroll what the policy requires
    ...(due && purpose !== 'new_device' ? { enrollmentRequired: true, enrollmentMethods: due } : {}),
    ...(purpose === 'new_device' ? grace : {}),
  };
}

/** What the challenge's method does first (recovery codes: nothing). */
const challengeStep = (deps: CodeDeps, tenant: TenantRecord, user: UserAggregate, challenge: ChallengeRecord, nowMs: number): Promise<ChallengeStep> =>
  challenge.method === 'recovery_code' ? Promise.resolve({}) : kindOf(challenge.method).challenge(deps, { tenant, user, challenge, nowMs });

/** Runs a write that comes after the send limits were taken; if it fails, nothing was sent, so they are given back. */
async function releasingOnFailure<T>(deps: Pick<CoreDeps, 'throttle'>, ticket: SendTicket, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    await deps.throttle.release(ticket);
    throw error;
  }
}

/** A device token of this user (rotated on use), or an IP seen at one of their verified sign-ins. */
async function recogniseContext(
  deps: Pick<CoreDeps, 'devices'> & ChangeDeps,
  keys: TenantKeys,
  input: { tenantId: string; userId: string; deviceToken: string | undefined; ipKey: string | undefined; nowMs: number },
): Promise<{ recognised: boolean; deviceToken?: string }> {
  if (input.deviceToken) {
    const rotated = await recogniseDevice(deps, keys, { tenantId: input.tenantId, userId: input.userId, token: input.deviceToken, nowMs: input.nowMs });
    if (rotated) return { recognised: true, deviceToken: rotated };
  }
  if (input.ipKey && (await recogniseIp(deps, { tenantId: input.tenantId, userId: input.userId, ipKey: input.ipKey, nowMs: input.nowMs }))) return { recognised: true };
  return { recognised: false };
}

export async function resendChallenge(deps: Pick<CoreDeps, 'clock' | 'tenant' | 'challenges'> & ReadsUsers & CodeDeps, tenantId: string, challengeId: string, body: ResendBody): Promise<ChallengeResent> {
  const now = deps.clock.nowMs();
  const [tenant, read] = await Promise.all([deps.tenant(tenantId), challengeOf(deps, tenantId, challengeId)]);
  const { user } = read;
  const challenge = underPolicyNow(read.challenge, tenant.policy);
  if (challenge.status === 'verified') fail('challenge_already_verified');
  if (now >= challenge.expiresAtMs) fail('challenge_expired');

  const method = body.method ?? challenge.method;
  if (method !== challenge.method) {
    if (!challenge.limits.allowFallback) fail('method_not_available', "This tenant's policy does not allow switching to another method.");
    if (!usableMethods(user, tenant.policy).includes(method)) fail('method_not_available', `The user cannot use ${method}.`);
  }
  const { resendLimit } = challenge.limits;
  const remaining = (resends: number) => (resendLimit === null ? null : Math.max(0, resendLimit - resends));

  // the challenge as it goes on: with the method switched to
  const step = await challengeStep(deps, tenant, user, { ...challenge, method }, now);
  if (!step.code) {
    // switching to the authenticator, a passkey or a recovery code sends nothing
    const outcome = await deps.challenges.replaceCode(tenantId, challenge.userId, challengeId, {
      method,
      sentAtMs: now,
      expiresAtMs: challenge.expiresAtMs,
      countsAsResend: false,
      resendLimit,
      cooldownSeconds: 0,
    });
    if (outcome === 'not_pending') fail('challenge_already_verified');
    return { challengeId, method, expiresAt: iso(challenge.expiresAtMs), resendsRemaining: remaining(challenge.resends), ...(step.options ? { options: step.options } : {}) };
  }

  // fail fast on what the read already shows; the conditional write below settles races
  if (resendLimit !== null && challenge.resends >= resendLimit) fail('resend_limit_reached');
  const cooldownEndsMs = (challenge.codeSentAtMs ?? 0) + RESEND_COOLDOWN_SECONDS * 1000;
  if (now < cooldownEndsMs) fail('rate_limited', 'Wait before asking for another code.', { retryAfterSeconds: Math.ceil((cooldownEndsMs - now) / 1000) });

  const sent = await step.code();
  const expiresAtMs = now + challenge.limits.codeTimeoutSeconds * 1000;
  const outcome = await releasingOnFailure(deps, sent.ticket, () =>
    deps.challenges.replaceCode(tenantId, challenge.userId, challengeId, {
      method,
      ...(sent.fields.factorId ? { factorId: sent.fields.factorId } : {}),
      codeHash: sent.fields.codeHash,
      sentAtMs: now,
      expiresAtMs,
      countsAsResend: true,
      resendLimit,
      cooldownSeconds: RESEND_COOLDOWN_SECONDS,
    }),
  );
  // a resend refused here (it lost a race) sent nothing: it gives back what it took of the send limits
  if (outcome !== 'replaced') await deps.throttle.release(sent.ticket);
  if (outcome === 'limit') fail('resend_limit_reached');
  if (outcome === 'cooldown') fail('rate_limited', 'Wait before asking for another code.', { retryAfterSeconds: RESEND_COOLDOWN_SECONDS });
  if (outcome === 'not_pending') fail('challenge_already_verified');
  // a failed delivery puts the previous code back: the challenge stays usable and can be resent
  await sent.send(() => deps.challenges.restoreCode(tenantId, challenge.userId, challenge, sent.fields.codeHash));
  return {
    challengeId,
    method,
    expiresAt: iso(expiresAtMs),
    resendsRemaining: remaining(challenge.resends + 1),
    destination: sent.destination,
  };
}

export async function getChallenge(deps: Pick<CoreDeps, 'clock' | 'tenant'> & ReadsUsers, tenantId: string, challengeId: string): Promise<Challenge> {
  const now = deps.clock.nowMs();
  const [tenant, read] = await Promise.all([deps.tenant(tenantId), challengeOf(deps, tenantId, challengeId)]);
  const { user } = read;
  const challenge = underPolicyNow(read.challenge, tenant.policy);
  const lock = lockStateOf(user.failures, now, challenge.limits.maxInvalidAttempts);
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
