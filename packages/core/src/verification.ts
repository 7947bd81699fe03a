/**
 * Answering a challenge. Every state change here is one conditional write, so that parallel
 * submissions cannot both win: a TOTP step is used once per factor, a recovery code is spent
 * once, a challenge is verified once, and failures are counted up to the limit and no further.
 */
import type { ChallengeVerified, Method, VerifyChallengeBody } from '@twofold/contract/schemas';
import type { CoreDeps } from './deps';
import { trustDevice } from './devices';
import { syncUser, type SyncDeps } from './user-sync';
import { emit, LOW_RECOVERY_CODES, type EmitDeps } from './events';
import { fail } from './errors';
import { totpKeyOf } from './totp-factor';
import { keyedHash } from './keyring';
import { attemptsRemaining, lockStateOf, retryAfterSeconds } from './lockout';
import type { ChallengeRecord, UserAggregate } from './records';
import { otpHash, sameHash } from './otp-codes';
import { normaliseRecoveryCode } from './recovery-codes';
import { SealedDataError } from './secret-box';
import { matchTotp, type TotpKey } from './totp';
import { credentialProblemMessages } from './webauthn-relying-party';

export async function verifyChallenge(
  deps: Pick<CoreDeps, 'challenges' | 'keyRing' | 'assertions' | 'devices'> & EmitDeps & SyncDeps,
  tenantId: string,
  challengeId: string,
  body: VerifyChallengeBody,
): Promise<ChallengeVerified> {
  const now = deps.clock.nowMs();
  const challenge = (await deps.challenges.get(tenantId, challengeId)) ?? fail('challenge_not_found', `No challenge ${challengeId}.`);
  if (challenge.status === 'verified') fail('challenge_already_verified');
  if (now >= challenge.expiresAtMs) fail('challenge_expired');
  const { userId } = challenge;
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);

  const lock = lockStateOf(user.failures, now);
  // A recovery code (80 bits) cannot be guessed, so it still works during a lockout: the way
  // out for a user whose authenticator is gone while someone hammers their account.
  if (lock.locked && body.recoveryCode === undefined) {
    fail('locked', 'Too many failed attempts; try again later or use a recovery code.', {
      retryAfterSeconds: retryAfterSeconds(lock.lockedUntilMs!, now),
    });
  }

  const keys = await deps.keyRing.keysFor(tenant);
  let method: Method | undefined;
  let expectedCodeHash: string | undefined;
  /** After a recovery code is spent: how many are left, as the write that spent it saw the set. */
  let recoveryLeft: number | undefined;
  /** A refused passkey response: why (a failed attempt like a wrong code, with its own error code). */
  let refusal: Refusal | undefined;
  if (body.recoveryCode !== undefined) {
    const normalised = normaliseRecoveryCode(body.recoveryCode);
    const hash = normalised && keyedHash(keys.hashKey, tenantId, userId, normalised);
    const left = hash && user.recovery?.hashes.includes(hash) ? await deps.users.spendRecoveryCode(tenantId, userId, hash) : false;
    if (left !== false) {
      method = 'recovery_code';
      recoveryLeft = left;
    }
  } else if (body.credential !== undefined) {
    const { checkWebauthnAnswer } = await import('./webauthn-answer');
    const checked = await checkWebauthnAnswer(deps, tenant, keys, challenge, user, body.credential, now);
    // the counter moves with a conditional write: of parallel uses of one signature, one moves it
    // (lead: in the new layout, this Update goes into the transaction that marks the challenge verified)
    const used = checked.ok && (await deps.users.useWebauthnCredential(tenantId, userId, checked.use));
    if (used) method = 'webauthn';
    else refusal = { code: 'invalid_credential', message: credentialProblemMessages[checked.ok ? 'counter_regression' : checked.problem] };
  } else if (challenge.method === 'sms' || challenge.method === 'email') {
    // the code sent for this challenge; the write below checks it is still the current one
    const codeHash = otpHash(keys.hashKey, tenantId, userId, `challenge:${challengeId}`, body.code!);
    if (sameHash(codeHash, challenge.codeHash)) {
      method = challenge.method;
      expectedCodeHash = codeHash;
    }
  } else {
    method = (await useTotpCode(deps, challenge, user, keys, body.code!, now)) ? 'totp' : undefined;
  }

  if (!method) {
    if (lock.locked) fail('locked', 'Too many failed attempts; try again later.', { retryAfterSeconds: retryAfterSeconds(lock.lockedUntilMs!, now) });
    return countFailure(deps, challenge, now, refusal);
  }

  const outcome = await deps.challenges.markVerified(tenantId, challengeId, {
    verifiedAtMs: now,
    method,
    ...(expectedCodeHash ? { expectedCodeHash } : {}),
  });
  // a code replaced by a resend in the meantime is a wrong code now
  if (outcome === 'code_replaced') return countFailure(deps, challenge, now);
  if (outcome === 'already_verified') fail('challenge_already_verified');
  if (outcome === 'expired') fail('challenge_expired');
  if (outcome === 'not_found') fail('challenge_not_found');
  const days = challenge.limits.trustedDeviceDays;
  const [assertion, deviceToken] = await Promise.all([
    deps.assertions.sign({ tenantId, userId, method, challengeId, authTimeMs: now }),
    body.rememberDevice && days !== null
      ? trustDevice(deps, keys, { tenantId, userId, label: challenge.deviceLabel ?? 'Unknown device', days, nowMs: now })
      : undefined,
    lock.failures > 0 ? deps.users.clearLoginFailures(tenantId, userId) : undefined,
    // the IP of a verified sign-in is recognised at the next one (unrecognized_devices mode)
    challenge.ipKey && days !== null ? deps.devices.rememberIp(tenantId, userId, challenge.ipKey, now + days * 86_400_000) : undefined,
  ]);

  // codes spent at the same time are counted by the write, not by what this request read before it
  const remaining = recoveryLeft ?? user.recovery?.hashes.length ?? 0;
  await emit(deps, [
    ...(method === 'recovery_code' ? [{ type: 'recovery_code.used' as const, tenantId, userId, detail: { remaining } }] : []),
    ...(method === 'recovery_code' && remaining <= LOW_RECOVERY_CODES ? [{ type: 'recovery_codes.low' as const, tenantId, userId, detail: { remaining } }] : []),
    ...(deviceToken ? [{ type: 'device.trusted' as const, tenantId, userId, detail: { deviceId: deviceToken.slice(3, 25) } }] : []),
  ]);
  // a spent recovery code may move the user into the overview's low or none
  if (method === 'recovery_code') await syncUser(deps, tenantId, userId);
  return {
    verified: true,
    challengeId,
    userId,
    method,
    verifiedAt: new Date(now).toISOString(),
    recoveryCodesRemaining: remaining,
    assertion,
    ...(deviceToken ? { deviceToken } : {}),
  };
}

/** Tries the code against each active authenticator; the matching step is then used up. */
async function useTotpCode(
  deps: Pick<CoreDeps, 'users'>,
  challenge: ChallengeRecord,
  user: UserAggregate,
  keys: Parameters<typeof totpKeyOf>[0],
  code: string,
  nowMs: number,
): Promise<boolean> {
  if (challenge.method !== 'totp' && challenge.method !== 'recovery_code') return false;
  for (const factor of user.factors) {
    if (factor.type !== 'totp' || factor.status !== 'active') continue;
    let key: TotpKey;
    try {
      key = totpKeyOf(keys, challenge.tenantId, challenge.userId, factor);
    } catch (error) {
      // a secret that does not open for this user (moved or tampered with) matches nothing
      if (error instanceof SealedDataError) continue;
      throw error;
    }
    const step = await matchTotp(key, code, {
      epochSeconds: Math.floor(nowMs / 1000),
      window: challenge.limits.totpWindow,
      ...(factor.lastUsedStep !== undefined ? { afterStep: factor.lastUsedStep } : {}),
    });
    if (step === undefined) continue;
    return deps.users.useTotpStep(challenge.tenantId, challenge.userId, factor.factorId, step, nowMs);
  }
  return false;
}

/** How a failed attempt is answered: a wrong code, or a refused passkey response (with which check failed). */
interface Refusal {
  code: 'invalid_code' | 'invalid_credential';
  message: string;
}
const WRONG_CODE: Refusal = { code: 'invalid_code', message: 'The code is not valid.' };

async function countFailure(deps: Pick<CoreDeps, 'users'> & EmitDeps, challenge: ChallengeRecord, nowMs: number, refusal: Refusal = WRONG_CODE): Promise<never> {
  const max = challenge.limits.maxInvalidAttempts;
  if (max === null) return fail(refusal.code, refusal.message, { attemptsRemaining: null });
  const outcome = await deps.users.countLoginFailure(challenge.tenantId, challenge.userId, {
    maxAttempts: max,
    lockoutSeconds: challenge.limits.lockoutSeconds,
    nowMs,
  });
  if (outcome.counted && outcome.failures === max) {
    // this failure locked the user: exactly one writer sees the count reach the limit
    await emit(deps, [{ type: 'user.locked', tenantId: challenge.tenantId, userId: challenge.userId, actor: 'system', detail: { lockedUntil: new Date(outcome.windowEndsAtMs).toISOString() } }]);
    return fail(refusal.code, refusal.message, { attemptsRemaining: 0 });
  }
  if (!outcome.counted) {
    return fail('locked', 'Too many failed attempts; try again later.', { retryAfterSeconds: retryAfterSeconds(outcome.lockedUntilMs, nowMs) });
  }
  return fail(refusal.code, refusal.message, { attemptsRemaining: attemptsRemaining({ locked: false, lockedUntilMs: null, failures: outcome.failures }, max) });
}
