/**
 * Enrolling a factor: an authenticator app (a TOTP secret, shown once with its QR code), a phone
 * or an email address (a code sent to it), and confirming it with a code. The first active
 * factor turns two-factor on and comes with the user's recovery codes.
 */
import type { ConfirmFactorBody, CreateFactorBody, FactorEnrollment, FactorVerified, OtpEnrollment, TotpEnrollment } from '@twofold/contract/schemas';
import { codeMessage, deliverCode, requireChannel } from './delivery';
import { maskDestination, normaliseEmail, normalisePhone } from './destinations';
import { destinationKey, newOtpCode, otpHash, sameHash } from './otp-codes';
import type { CoreDeps } from './deps';
import { emit, type EmitDeps } from './events';
import { fail } from './errors';
import { newId } from './ids';
import type { FactorRecord, TenantRecord, UserAggregate } from './records';
import { issueRecoveryCodes } from './recovery-code-sets';
import { seal } from './secret-box';
import { encodeSecret, matchTotp, newTotpSecret, otpauthUri, type TotpKey } from './totp';
import { factorBinding, totpKeyOf } from './totp-factor';
import { qrCodeDataUrl } from './totp-qr-code';
import { syncUser, type SyncDeps } from './user-sync';
import { permitsType } from './method-rules';
import { activateWebauthnFactor, startWebauthnEnrollment } from './webauthn-enrollment';

/** A user may hold this many factors, pending ones included. */
export const MAX_FACTORS_PER_USER = 10;
/** Wrong codes a pending factor accepts before the enrollment must start again. */
export const MAX_ENROLLMENT_ATTEMPTS = 5;

export async function startFactorEnrollment(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'keyRing' | 'throttle' | 'sendLimits' | 'sms' | 'email'> & SyncDeps,
  tenantId: string,
  userId: string,
  body: CreateFactorBody,
): Promise<FactorEnrollment> {
  const now = deps.clock.nowMs();
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  if (user.factors.length >= MAX_FACTORS_PER_USER) {
    fail('too_many_factors', `A user may have at most ${MAX_FACTORS_PER_USER} factors; remove one first.`);
  }
  if (!permitsType(tenant.policy, user, body.type)) {
    fail('method_not_available', `The tenant's role rules do not let this user enrol ${body.type}.`);
  }
  try {
    if (body.type === 'webauthn') return await startWebauthnEnrollment(deps, tenant, userId, user, body, now);
    if (body.type !== 'totp') return await startOtpEnrollment(deps, tenant, userId, user, body, now);
    return await startTotpEnrollment(deps, tenant, userId, user, body, now);
  } finally {
    // a new user, or a pending factor: the overview counts it
    await syncUser(deps, tenantId, userId);
  }
}

async function startTotpEnrollment(
  deps: Pick<CoreDeps, 'keyRing' | 'random' | 'users'>,
  tenant: TenantRecord,
  userId: string,
  user: UserAggregate,
  body: Extract<CreateFactorBody, { type: 'totp' }>,
  now: number,
): Promise<TotpEnrollment> {
  const { tenantId } = tenant;
  if (!tenant.policy.methods.allowed.includes('totp')) {
    fail('method_not_available', `This tenant's policy does not allow authenticator apps; allowed: ${tenant.policy.methods.allowed.join(', ')}.`);
  }
  const keys = await deps.keyRing.keysFor(tenant);
  const factorId = newId(deps.random, 'f');
  const { digits, period, algorithm, issuer } = tenant.policy.totp;
  const key: TotpKey = { secret: newTotpSecret(deps.random), algorithm, digits, period };
  const label = body.label ?? 'Authenticator app';
  const factor: FactorRecord = {
    factorId,
    type: 'totp',
    label,
    status: 'pending',
    createdAtMs: now,
    failedAttempts: 0,
    totp: { sealedSecret: seal(keys.sealKey, deps.random, key.secret, factorBinding(tenantId, userId, factorId)), algorithm, digits, period },
  };
  if (!user.profile) await deps.users.ensureProfile(tenantId, userId, now);
  await deps.users.addFactor(tenantId, userId, factor);
  const uri = otpauthUri(key, issuer, user.profile?.email ?? userId);
  return {
    factorId,
    type: 'totp',
    status: 'pending',
    label,
    secret: encodeSecret(key.secret),
    otpauthUri: uri,
    qrCode: await qrCodeDataUrl(uri),
  };
}

type OtpFactorBody = Extract<CreateFactorBody, { type: 'sms' | 'email' }>;

/**
 * Enrolling a phone (SMS) or an email address: the destination is normalised and checked, a
 * code is sent, and the factor becomes active when the code comes back. Asking again for the
 * same pending destination sends a new code to the same factor.
 */
async function startOtpEnrollment(
  deps: Pick<CoreDeps, 'keyRing' | 'random' | 'throttle' | 'sendLimits' | 'users' | 'sms' | 'email'>,
  tenant: TenantRecord,
  userId: string,
  user: UserAggregate,
  body: OtpFactorBody,
  now: number,
): Promise<OtpEnrollment> {
  const { tenantId, policy } = tenant;
  const channel = body.type;
  requireChannel(deps, channel);
  const recovery = body.type === 'sms' && body.recovery === true;
  // an emergency recovery phone is allowed whatever the login methods; other factors follow the policy
  if (!recovery && !policy.methods.allowed.includes(channel)) {
    fail('method_not_available', `This tenant's policy does not allow ${channel} factors; allowed: ${policy.methods.allowed.join(', ')}.`);
  }
  const destination = body.type === 'sms' ? normalisePhone(body.phone, policy.sms.allowedCountries).e164 : normaliseEmail(body.email);
  const same = user.factors.filter((f) => f.type === channel && f.destination === destination);
  if (same.some((f) => f.status === 'active')) fail('duplicate_destination', `The user already has an active ${channel} factor for this destination.`);
  const pending = same.find((f) => f.status === 'pending');

  const keys = await deps.keyRing.keysFor(tenant);
  const factorId = pending?.factorId ?? newId(deps.random, 'f');
  const code = newOtpCode(deps.random);
  const codeHash = otpHash(keys.hashKey, tenantId, userId, `factor:${factorId}`, code);
  const codeExpiresAtMs = now + policy.codeTimeoutSeconds * 1000;
  const label = body.label ?? pending?.label ?? (channel === 'sms' ? (recovery ? 'Recovery phone' : 'Phone') : 'Email');

  const throttled = await deps.throttle.take({ tenantId, userId, destinationKey: destinationKey(keys, tenantId, destination), nowMs: now, limits: deps.sendLimits });
  if (!throttled.allowed) fail('rate_limited', 'Too many codes were sent; try again later.', { retryAfterSeconds: throttled.retryAfterSeconds });

  let undo: () => Promise<unknown>;
  if (pending) {
    if (!(await deps.users.replaceFactorCode(tenantId, userId, factorId, { codeHash, codeExpiresAtMs }))) fail('factor_already_active');
    undo = async () => undefined; // the earlier code was already superseded in the user's eyes; a retry sends a new one
  } else {
    if (!user.profile) await deps.users.ensureProfile(tenantId, userId, now);
    await deps.users.addFactor(tenantId, userId, {
      factorId,
      type: channel,
      label,
      status: 'pending',
      createdAtMs: now,
      failedAttempts: 0,
      destination,
      ...(recovery ? { recovery: true } : {}),
      codeHash,
      codeExpiresAtMs,
    });
    undo = () => deps.users.deleteFactor(tenantId, userId, factorId);
  }
  await deliverCode(deps, channel, destination, codeMessage(tenant.name, code, policy.codeTimeoutSeconds), undo);
  return { factorId, type: channel, status: 'pending', label, destination: maskDestination(channel, destination), expiresAt: new Date(codeExpiresAtMs).toISOString() };
}


export async function confirmFactor(
  deps: Pick<CoreDeps, 'keyRing'> & EmitDeps & SyncDeps,
  tenantId: string,
  userId: string,
  factorId: string,
  answer: ConfirmFactorBody,
): Promise<FactorVerified> {
  const now = deps.clock.nowMs();
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  const factor = user.factors.find((f) => f.factorId === factorId) ?? fail('factor_not_found', `No factor ${factorId} for this user.`);
  if (factor.status === 'active') fail('factor_already_active');
  if (factor.failedAttempts >= MAX_ENROLLMENT_ATTEMPTS) fail('enrollment_expired');

  const keys = await deps.keyRing.keysFor(tenant);
  let activated: boolean;
  // a passkey is confirmed with its registration response, every other factor with a code
  if (factor.type !== 'webauthn' && answer.code === undefined) fail('invalid_code', 'Confirm this factor with code.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - factor.failedAttempts });
  const code = answer.code!;
  if (factor.type === 'webauthn') {
    activated = await activateWebauthnFactor(deps, tenant, keys, userId, user, factor, answer.credential, now);
  } else if (factor.type === 'totp') {
    const step = await matchTotp(totpKeyOf(keys, tenantId, userId, factor), code, {
      epochSeconds: Math.floor(now / 1000),
      window: tenant.policy.totp.window,
    });
    if (step === undefined) await countEnrollmentFailure(deps, tenantId, userId, factorId);
    // one conditional write: of parallel confirmations exactly one activates the factor
    activated = await deps.users.activateFactor(tenantId, userId, factorId, { step: step!, nowMs: now });
  } else {
    if (factor.codeExpiresAtMs === undefined || now >= factor.codeExpiresAtMs) fail('enrollment_expired', 'The code has expired; ask for a new one by enrolling the same destination again.');
    const codeHash = otpHash(keys.hashKey, tenantId, userId, `factor:${factorId}`, code);
    if (!sameHash(codeHash, factor.codeHash)) await countEnrollmentFailure(deps, tenantId, userId, factorId);
    activated = await deps.users.activateFactor(tenantId, userId, factorId, { nowMs: now, expectedCodeHash: codeHash });
  }
  if (!activated) fail('factor_already_active');

  const firstActive = !user.factors.some((f) => f.status === 'active' && f.factorId !== factorId);
  // of first factors confirmed at once, one conditional write decides which turned two-factor on
  const enabled = firstActive && (await deps.users.switchTwoFactor(tenantId, userId, true, now));
  await emit(deps, [
    { type: 'factor.added', tenantId, userId, detail: { factorId, factorType: factor.type } },
    ...(enabled ? [{ type: 'two_factor.enabled' as const, tenantId, userId }] : []),
  ]);
  const codes = firstActive && !user.recovery ? await issueRecoveryCodes(deps, tenant, userId, keys, { onlyIfAbsent: true }) : undefined;
  await syncUser(deps, tenantId, userId);
  return codes ? { factorId, status: 'active', recoveryCodes: codes } : { factorId, status: 'active' };
}

async function countEnrollmentFailure(deps: Pick<CoreDeps, 'users'>, tenantId: string, userId: string, factorId: string): Promise<never> {
  const failures = await deps.users.countFactorFailure(tenantId, userId, factorId, MAX_ENROLLMENT_ATTEMPTS);
  if (failures === false) fail('enrollment_expired');
  return fail('invalid_code', 'The code is not valid.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - (failures as number) });
}
