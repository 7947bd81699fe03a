/**
 * Answering a challenge — the login's hot path. One strongly consistent read of the user's
 * partition (profile, factors, recovery codes and the login item with the challenge), the code
 * checked in memory, then one conditional write of the small login item that decides everything
 * at once: the challenge is answered once, a TOTP step is used once, the failure count is reset,
 * and only while the user is not locked at that moment. A wrong code is counted by a write
 * conditional on the count read, so that however many guesses race, at most
 * `maxInvalidAttempts` are counted before the lock, and none succeeds after it.
 *
 * A passkey's response is checked the same way (its signature counter lives in the login item,
 * moved by the same write, conditional on the counter the signature was checked against); only
 * that check loads the WebAuthn library.
 *
 * A recovery code, or remembering the device, changes more than the login item (the set of
 * codes, a trusted device, security events): that is one transaction (see user-change.ts) with
 * the same login conditions.
 */
import type { ChallengeVerified, Method, VerifyChallengeBody } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { newDevice } from './devices';
import { LOW_RECOVERY_CODES, settleLock, type NewEvent } from '../events';
import { fail } from '../errors';
import { userIdOfChallenge } from '../ids';
import { attemptsRemaining, lockStateOf, retryAfterSeconds } from './lockout';
import type { ChallengeCompletion, CompletionOutcome } from '../ports';
import type { ChallengeRecord, LoginFailures } from '../records';
import { requireSmsDestinationAllowed } from '../factors/codes/destinations';
import type { LoginAnswer, MatchedAnswer } from '../factors/factor-kind';
import { factorKinds, kindOf } from '../factors/kinds';
import { matchRecoveryCode } from '../factors/recovery/recovery-code-sets';
import { changeUser, type ChangeDeps } from '../users/user-change';
import { rememberedDevicesSkipTheCode, underPolicyNow, usableMethods } from './challenges';
import { activeCredentials, credentialProblemMessages, type CredentialProblem } from '../factors/webauthn/webauthn-relying-party';

export type VerifyDeps = Pick<CoreDeps, 'challenges' | 'keyRing' | 'assertions'> & ChangeDeps;

/** Rounds of a failure count lost to other attempts counted first, before answering `locked`. */
const MAX_COUNT_ROUNDS = 25;

export async function verifyChallenge(deps: VerifyDeps, tenantId: string, challengeId: string, body: VerifyChallengeBody): Promise<ChallengeVerified> {
  const now = deps.clock.nowMs();
  const userId = userIdOfChallenge(challengeId) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  const found = user.challenges.find((c) => c.challengeId === challengeId) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  // the stricter of the challenge's limits and the policy's now
  const challenge = underPolicyNow(found, tenant.policy);
  if (challenge.status === 'verified') fail('challenge_already_verified');
  if (now >= challenge.expiresAtMs) fail('challenge_expired');

  const lock = lockStateOf(user.failures, now, challenge.limits.maxInvalidAttempts);
  if (lock.locked) lockedFail(lock.lockedUntilMs ?? now, now);

  // the policy as it is now: a method the tenant dropped since the challenge started is not accepted
  const usable = usableMethods(user, tenant.policy);
  const answering: Method = body.recoveryCode !== undefined ? 'recovery_code' : challenge.method === 'recovery_code' ? 'totp' : challenge.method;
  if (challenge.purpose !== 'new_device' && !usable.includes(answering)) {
    fail('method_not_available', `This tenant's policy no longer allows ${answering}; start a new login.`);
  }
  // a code sent to a country the policy no longer allows is not accepted either
  if (answering === 'sms') {
    const factor = user.factors.find((f) => f.factorId === challenge.factorId);
    if (factor?.type === 'sms') requireSmsDestinationAllowed(factor, tenant.policy.sms.allowedCountries);
  }
  const keys = await deps.keyRing.keysFor(tenant);
  let matched: MatchedAnswer | undefined;
  /** A refused passkey response: why (a failed attempt like a wrong code, with its own error code). */
  let refusal: Refusal | undefined;
  const answered = await matchAnswer(deps, { tenant, keys, challenge, user, body, nowMs: now });
  if (answered && 'problem' in answered) refusal = passkeyRefusal(answered.problem);
  else matched = answered;
  if (!matched) return countFailure(deps, tenantId, userId, user.failures, challenge, now, refusal);

  const completion: ChallengeCompletion = {
    challengeId,
    verifiedAtMs: now,
    method: matched.method,
    maxInvalidAttempts: challenge.limits.maxInvalidAttempts,
    failuresGen: user.failures?.gen ?? 0,
    ...(matched.expectedCodeHash ? { expectedCodeHash: matched.expectedCodeHash } : {}),
    ...(matched.totpStep ? { totpStep: matched.totpStep } : {}),
    ...(matched.webauthnCounter ? { webauthnCounter: matched.webauthnCounter } : {}),
  };
  // null: the device is not to be remembered (not asked for, or the policy trusts no device)
  const trustDays = body.rememberDevice === true ? challenge.limits.trustedDeviceDays : null;

  const sign = () =>
    deps.assertions.sign({
      tenantId,
      userId,
      method: matched.method,
      challengeId,
      authTimeMs: now,
      lifetimeSeconds: tenant.policy.freshVerificationSeconds,
      // the epoch as read: a reset committed after this read moves it, and the assertion is refused then
      epoch: user.profile?.securityEpoch,
      audience: challenge.audience,
      nonce: challenge.nonce,
      emailCountsAsMfa: tenant.policy.assurance.emailCountsAsMfa,
    });
  let assertion: string | undefined;
  let recoveryCodesRemaining = user.recovery?.hashes.length ?? 0;
  let deviceToken: string | undefined;
  // a passkey whose backup state changed has its sealed part replaced: more than the login item
  if (matched.method !== 'recovery_code' && trustDays === null && !matched.resealed) {
    // the hot path: one conditional write of the login item; the assertion is signed while the
    // write is in flight, and answered only if the write verified the challenge
    const [outcome, signed] = await Promise.all([deps.challenges.complete(tenantId, userId, completion), sign()]);
    if (outcome !== 'verified') return refused(deps, outcome, tenantId, userId, challenge, now);
    assertion = signed;
  } else {
    const done = await changeUser<'spent' | { remaining: number; token: string | undefined }>(deps, tenantId, userId, (fresh) => {
      const events: NewEvent[] = [];
      let spend: string | undefined;
      if (matched.method === 'recovery_code') {
        // decided again on each read: of two uses of one code, the second finds it spent
        if (!matched.recoveryHash || !fresh.recovery?.hashes.includes(matched.recoveryHash)) return { result: 'spent' as const };
        spend = matched.recoveryHash;
        const remaining = fresh.recovery.hashes.length - 1;
        events.push({ type: 'recovery_code.used', tenantId, userId, detail: { remaining } });
        if (remaining <= LOW_RECOVERY_CODES) events.push({ type: 'recovery_codes.low', tenantId, userId, detail: { remaining } });
      }
      const device = trustDays !== null ? newDevice(deps, keys, { tenantId, userId, label: challenge.deviceLabel ?? 'Unknown device', days: trustDays, nowMs: now }) : undefined;
      if (device) events.push({ type: 'device.trusted', tenantId, userId, detail: { deviceId: device.record.deviceId } });
      const resealed = matched.resealed;
      const passkey = resealed && activeCredentials(fresh.factors).find((f) => f.factorId === resealed.factorId);
      return {
        change: {
          login: { complete: completion },
          // (a passkey removed meanwhile: its counter went with it, and the login's condition refuses)
          ...(passkey ? { putFactors: [{ ...passkey, webauthn: { ...passkey.webauthn, sealed: resealed.sealed } }] } : {}),
          ...(spend ? { recovery: { spend } } : {}),
          ...(device
            ? {
                devices: {
                  add: device.record,
                  // the IP of a sign-in that trusted its device is recognised at the next one (unrecognized_devices mode)
                  ...(challenge.ipKey && trustDays !== null ? { rememberIp: { ipKey: challenge.ipKey, keepUntilMs: now + trustDays * 86_400_000, deviceId: device.record.deviceId } } : {}),
                },
              }
            : {}),
        },
        events,
        result: { remaining: (fresh.recovery?.hashes.length ?? 0) - (spend ? 1 : 0), token: device?.token },
        loginRefused: (reason: CompletionOutcome) => refused(deps, reason, tenantId, userId, challenge, now),
      };
    });
    // a recovery code spent by a racing request in the meantime is a wrong code now
    if (done === 'spent') return countFailure(deps, tenantId, userId, (await deps.users.load(tenantId, userId)).failures, challenge, now);
    recoveryCodesRemaining = done.remaining;
    deviceToken = done.token;
  }

  assertion ??= await sign();
  return {
    verified: true,
    challengeId,
    userId,
    method: matched.method,
    verifiedAt: new Date(now).toISOString(),
    recoveryCodesRemaining,
    assertion,
    ...(deviceToken ? { deviceToken } : {}),
    // asked to remember the device: say whether that will spare the user the code next time
    ...(body.rememberDevice === true ? { deviceSkipsCode: deviceToken !== undefined && rememberedDevicesSkipTheCode(tenant.policy) } : {}),
  };
}

/** How a failed attempt is answered: a wrong code, or a refused passkey response (with which check failed). */
interface Refusal {
  code: 'invalid_code' | 'invalid_credential';
  message: string;
}
const WRONG_CODE: Refusal = { code: 'invalid_code', message: 'The code is not valid.' };
const passkeyRefusal = (problem: CredentialProblem): Refusal => ({ code: 'invalid_credential', message: credentialProblemMessages[problem] });

/**
 * Checks the answer against what the read shows; nothing is written here. A passkey's response
 * goes to the passkey kind whatever the challenge's method (which refuses one for another method);
 * a code to the kind of the method (a challenge on recovery codes takes authenticator codes too).
 */
async function matchAnswer(deps: Pick<VerifyDeps, 'random'>, input: LoginAnswer): Promise<MatchedAnswer | { problem: CredentialProblem } | undefined> {
  const { keys, challenge, user, body } = input;
  if (body.credential !== undefined) return factorKinds.webauthn.answer(deps, input);
  if (body.recoveryCode !== undefined) {
    const stored = user.recovery && matchRecoveryCode(keys.hashKey, challenge.tenantId, challenge.userId, user.recovery.hashes, body.recoveryCode);
    return stored ? { method: 'recovery_code', recoveryHash: stored } : undefined;
  }
  return kindOf(challenge.method === 'recovery_code' ? 'totp' : challenge.method).answer(deps, input);
}

/** Why the login's write did not hold, as the client sees it. */
async function refused(deps: VerifyDeps, outcome: CompletionOutcome, tenantId: string, userId: string, challenge: ChallengeRecord, nowMs: number): Promise<never> {
  if (outcome === 'already_verified') fail('challenge_already_verified');
  if (outcome === 'expired') fail('challenge_expired');
  if (outcome === 'not_found') fail('challenge_not_found', `No challenge ${challenge.challengeId}.`);
  const user = await deps.users.load(tenantId, userId);
  if (outcome === 'locked') {
    const lock = lockStateOf(user.failures, nowMs);
    lockedFail(lock.lockedUntilMs ?? nowMs + challenge.limits.lockoutSeconds * 1000, nowMs);
  }
  // a step used by a racing login, a code replaced by a resend: a wrong code now; a passkey's
  // counter moved by another signature (or gone with its factor): a refused response
  return countFailure(deps, tenantId, userId, user.failures, challenge, nowMs, outcome === 'counter_moved' ? passkeyRefusal('counter_regression') : WRONG_CODE);
}

function lockedFail(lockedUntilMs: number, nowMs: number): never {
  return fail('locked', 'Too many failed attempts; try again later.', { retryAfterSeconds: retryAfterSeconds(lockedUntilMs, nowMs) });
}

/**
 * Counts a wrong answer: one write that parallel wrong answers do not collide on, so they are all
 * counted in the order they reach the store and a right guess among them gets through only if
 * fewer than the limit came first. The failure that reaches the limit emits `user.locked` (by an
 * id of its window: once, however many see it); if this request dies first, the relay finds the
 * window through the index its opening marked (settleLocks).
 */
async function countFailure(
  deps: Pick<VerifyDeps, 'challenges' | 'clock' | 'outbox' | 'publisher'>,
  tenantId: string,
  userId: string,
  read: LoginFailures | undefined,
  challenge: ChallengeRecord,
  nowMs: number,
  refusal: Refusal = WRONG_CODE,
): Promise<never> {
  const max = challenge.limits.maxInvalidAttempts;
  if (max === null) return fail(refusal.code, refusal.message, { attemptsRemaining: null });
  let current = read;
  for (let round = 0; round < MAX_COUNT_ROUNDS; round++) {
    const lock = lockStateOf(current, nowMs, max);
    if (lock.locked) lockedFail(lock.lockedUntilMs ?? nowMs, nowMs);
    const next: LoginFailures = { failures: lock.failures + 1, maxAttempts: max, windowEndsAtMs: nowMs + challenge.limits.lockoutSeconds * 1000 };
    const outcome = await deps.challenges.countFailure(tenantId, userId, { read: current, next, nowMs, max });
    if (outcome.counted) {
      const counted = outcome.failures.failures;
      if (counted >= max) await settleLock(deps, tenantId, userId, outcome.failures, nowMs, 'later');
      return fail(refusal.code, refusal.message, { attemptsRemaining: attemptsRemaining({ locked: false, lockedUntilMs: null, failures: counted }, max) });
    }
    current = outcome.current;
  }
  // the count kept moving under us: answer as locked rather than count without a limit
  return lockedFail(nowMs + challenge.limits.lockoutSeconds * 1000, nowMs);
}
