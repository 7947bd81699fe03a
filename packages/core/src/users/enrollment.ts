/**
 * Enrolling a factor: an authenticator app (a TOTP secret, shown once with its QR code), a phone
 * or an email address (a code sent to it), and confirming it with a code. The first active
 * factor turns two-factor on and comes with the user's recovery codes.
 */
import type { ConfirmFactorBody, CreateFactorBody, FactorEnrollment, FactorVerified, OtpEnrollment, TotpEnrollment } from '@twofold/contract/schemas';
import { codeMessage, deliverCode, requireChannel } from '../factors/codes/delivery';
import { emailOnFile } from '../events/lockout-notice';
import { composeSmsRestrictedMessage } from '../events/messages';
import { maskDestination, normaliseEmail } from '../factors/codes/destinations';
import { destinationKey, newOtpCode, otpHash, sameHash } from '../factors/codes/otp-codes';
import type { CoreDeps } from '../deps';
import { fail } from '../errors';
import { newId } from '../ids';
import type { SmsDestination } from '../factors/codes/phone-numbers';
import type { FactorRecord, TenantRecord, UserAggregate, WebauthnCredentialRecord } from '../records';
import { newRecoverySet } from '../factors/recovery/recovery-code-sets';
import { seal } from '../secret-box';
import { encodeSecret, matchTotp, newTotpSecret, otpauthUri, type TotpKey } from '../factors/totp/totp';
import { factorBinding, totpKeyOf } from '../factors/totp/totp-factor';
import { changeUser, type ChangeDeps } from './user-change';
import { permitsType } from '../factors/method-rules';

/** A user may hold this many factors, pending ones included. */
export const MAX_FACTORS_PER_USER = 10;
/** Wrong codes a pending factor accepts before the enrollment must start again. */
export const MAX_ENROLLMENT_ATTEMPTS = 5;

type EnrolDeps = Pick<CoreDeps, 'keyRing' | 'throttle' | 'sendLimits' | 'sms' | 'email'> & ChangeDeps;

export async function startFactorEnrollment(deps: EnrolDeps, tenantId: string, userId: string, body: CreateFactorBody): Promise<FactorEnrollment> {
  const now = deps.clock.nowMs();
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  if (user.factors.length >= MAX_FACTORS_PER_USER) {
    fail('too_many_factors', `A user may have at most ${MAX_FACTORS_PER_USER} factors; remove one first.`);
  }
  if (!permitsType(tenant.policy, user, body.type)) {
    fail('method_not_available', `The tenant's role rules do not let this user enrol ${body.type}.`);
  }
  if (body.type === 'webauthn') {
    const { startWebauthnEnrollment } = await import('../factors/webauthn/webauthn-enrollment');
    const { factor, enrollment } = await startWebauthnEnrollment(deps, tenant, userId, user, body, now);
    await addPending(deps, tenantId, userId, factor, now);
    return enrollment;
  }
  if (body.type !== 'totp') return startOtpEnrollment(deps, tenant, userId, user, body, now);
  return startTotpEnrollment(deps, tenant, userId, user, body, now);
}

/** A pending factor added (and a new user's profile with it): the overview counts the user as pending. */
const addPending = (deps: ChangeDeps, tenantId: string, userId: string, factor: FactorRecord, nowMs: number) =>
  changeUser(deps, tenantId, userId, (user) => ({
    change: { ...(user.profile ? {} : { profile: { roles: [], sso: false, createdAtMs: nowMs, updatedAtMs: nowMs } }), putFactors: [factor] },
    result: undefined,
  }));

async function startTotpEnrollment(
  deps: Pick<CoreDeps, 'keyRing'> & ChangeDeps,
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
  const { digits, period, algorithm } = tenant.policy.totp;
  const issuer = totpIssuer(tenant);
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
  await addPending(deps, tenantId, userId, factor, now);
  const uri = otpauthUri(key, issuer, user.profile?.email ?? userId);
  return {
    factorId,
    type: 'totp',
    status: 'pending',
    label,
    secret: encodeSecret(key.secret),
    otpauthUri: uri,
    qrCode: await (await import('../factors/totp/totp-qr-code')).qrCodeDataUrl(uri),
  };
}

type OtpFactorBody = Extract<CreateFactorBody, { type: 'sms' | 'email' }>;

/**
 * Enrolling a phone (SMS) or an email address: the destination is normalised and checked, a
 * code is sent, and the factor becomes active when the code comes back. Asking again for the
 * same pending destination sends a new code to the same factor.
 */
async function startOtpEnrollment(
  deps: EnrolDeps,
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
  // a phone is checked with the full metadata (a mobile, of an allowed country) before anything is written or sent
  let phone: SmsDestination | undefined;
  let destination: string;
  if (body.type === 'sms') {
    const { checkSmsDestination } = await import('../factors/codes/phone-numbers');
    phone = checkSmsDestination(body.phone, policy.sms.allowedCountries);
    destination = phone.e164;
  } else destination = normaliseEmail(body.email);
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
  if (!throttled.allowed) return fail('rate_limited', 'Too many codes were sent; try again later.', { retryAfterSeconds: throttled.retryAfterSeconds });

  let undo: () => Promise<unknown>;
  try {
    if (pending) {
      if (!(await deps.users.replaceFactorCode(tenantId, userId, factorId, { codeHash, codeExpiresAtMs }))) fail('factor_already_active');
      undo = async () => undefined; // the earlier code was already superseded in the user's eyes; a retry sends a new one
    } else {
      await addPending(deps, tenantId, userId, {
        factorId,
        type: channel,
        label,
        status: 'pending',
        createdAtMs: now,
        failedAttempts: 0,
        destination,
        ...(phone ? { phoneCountry: phone.country, phoneType: phone.type } : {}),
        ...(recovery ? { recovery: true } : {}),
        codeHash,
        codeExpiresAtMs,
      }, now);
      // a pending factor whose code never went out is taken back
      undo = () => changeUser(deps, tenantId, userId, (u) => ({ change: u.factors.some((f) => f.factorId === factorId && f.status === 'pending') ? { deleteFactors: [factorId] } : {}, result: undefined }));
    }
  } catch (error) {
    // refused before anything was sent: the send does not count against the limits
    await deps.throttle.release(throttled.ticket);
    throw error;
  }
  await deliverCode(deps, channel, destination, codeMessage(tenant.name, code, policy.codeTimeoutSeconds, { messages: policy.messages, locale: user.profile?.locale }), undo);
  return { factorId, type: channel, status: 'pending', label, destination: maskDestination(channel, destination), expiresAt: new Date(codeExpiresAtMs).toISOString() };
}


/**
 * Confirms a pending factor with a code (a passkey with its registration response). The activation, the first factor's recovery codes,
 * `factor.added` and `two_factor.enabled` are one change: of parallel confirmations exactly one
 * commits. (A client that may retry after a lost answer sends an Idempotency-Key: the retry gets
 * the first answer, recovery codes included.)
 */
export async function confirmFactor(
  deps: Pick<CoreDeps, 'keyRing' | 'email'> & ChangeDeps,
  tenantId: string,
  userId: string,
  factorId: string,
  answer: ConfirmFactorBody,
): Promise<FactorVerified> {
  const { verified, smsNotice } = await activateFactor(deps, tenantId, userId, factorId, answer);
  // SMS is a restricted authenticator (NIST SP 800-63B-4): the user hears of it once, when it is turned on
  // (the activation commits once), with the better methods to add; a failed notice fails nothing
  if (smsNotice && deps.email) {
    const message = composeSmsRestrictedMessage(smsNotice);
    await deps.email.send({ to: smsNotice.to, subject: message.subject, text: message.text, html: message.html, ...(message.fromName ? { fromName: message.fromName } : {}) }).catch(() => undefined);
  }
  return verified;
}

async function activateFactor(deps: Pick<CoreDeps, 'keyRing'> & ChangeDeps, tenantId: string, userId: string, factorId: string, answer: ConfirmFactorBody) {
  const now = deps.clock.nowMs();
  return changeUser(deps, tenantId, userId, async (user, tenant) => {
    const factor = user.factors.find((f) => f.factorId === factorId) ?? fail('factor_not_found', `No factor ${factorId} for this user.`);
    const keys = await deps.keyRing.keysFor(tenant);
    // of parallel confirmations one commits; the others find the factor active
    if (factor.status === 'active') fail('factor_already_active');
    if (factor.failedAttempts >= MAX_ENROLLMENT_ATTEMPTS) fail('enrollment_expired');

    let step: number | undefined;
    let credential: WebauthnCredentialRecord | undefined;
    // a passkey is confirmed with its registration response, every other factor with a code
    if (factor.type !== 'webauthn' && answer.code === undefined) fail('invalid_code', 'Confirm this factor with code.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - factor.failedAttempts });
    const code = answer.code!;
    if (factor.type === 'webauthn') {
      const { checkWebauthnRegistration } = await import('../factors/webauthn/webauthn-enrollment');
      credential = await checkWebauthnRegistration(deps, tenant, keys, userId, user, factor, answer.credential, now);
    } else if (factor.type === 'totp') {
      step = matchTotp(totpKeyOf(keys, tenantId, userId, factor), code, { epochSeconds: Math.floor(now / 1000), window: tenant.policy.totp.window });
      if (step === undefined) await countEnrollmentFailure(deps, tenantId, userId, factorId);
    } else {
      if (factor.codeExpiresAtMs === undefined || now >= factor.codeExpiresAtMs) fail('enrollment_expired', 'The code has expired; ask for a new one by enrolling the same destination again.');
      if (!sameHash(otpHash(keys.hashKey, tenantId, userId, `factor:${factorId}`, code), factor.codeHash)) await countEnrollmentFailure(deps, tenantId, userId, factorId);
    }
    const firstActive = !user.factors.some((f) => f.status === 'active');
    const recovery = firstActive ? newRecoverySet(deps, tenant, userId, keys) : undefined;
    // the confirmation code (or the registration challenge) is spent with the activation
    const activated: FactorRecord = { ...spent(factor), status: 'active', activatedAtMs: now, ...(credential ? { webauthn: credential } : {}) };
    return {
      change: {
        putFactors: [activated],
        // the step that confirmed an authenticator is used: it cannot log in
        ...(step !== undefined ? { login: { setSteps: { [factorId]: step } } } : {}),
        // a passkey's counter starts where its registration left it, in the login item
        ...(credential ? { login: { setSignCounts: { [factorId]: credential.signCount } } } : {}),
        ...(recovery ? { recovery: { put: { ...recovery.set, createdAtMs: now } } } : {}),
      },
      events: [
        { type: 'factor.added', tenantId, userId, detail: { factorId, factorType: factor.type } },
        ...(firstActive ? [{ type: 'two_factor.enabled' as const, tenantId, userId }] : []),
      ],
      result: {
        verified: recovery ? { factorId, status: 'active' as const, recoveryCodes: recovery.codes } : { factorId, status: 'active' as const },
        smsNotice: factor.type === 'sms' ? smsNoticeFor(user, tenant) : undefined,
      },
    };
  });
}

/** The factor without what its confirmation needed: the code, or the registration challenge. */
function spent(factor: FactorRecord): FactorRecord {
  if (factor.type === 'totp') return factor;
  if (factor.type === 'webauthn') {
    const { codeExpiresAtMs: _e, webauthnChallenge: _w, ...rest } = factor;
    return rest;
  }
  const { codeHash: _c, codeExpiresAtMs: _e, ...rest } = factor;
  return rest;
}

function smsNoticeFor(user: UserAggregate, tenant: TenantRecord) {
  const to = emailOnFile(user);
  return to ? { to, tenantName: tenant.name, messages: tenant.policy.messages, ...(user.profile?.locale ? { locale: user.profile.locale } : {}) } : undefined;
}

async function countEnrollmentFailure(deps: Pick<CoreDeps, 'users'>, tenantId: string, userId: string, factorId: string): Promise<never> {
  const failures = await deps.users.countFactorFailure(tenantId, userId, factorId, MAX_ENROLLMENT_ATTEMPTS);
  if (failures === false) fail('enrollment_expired');
  return fail('invalid_code', 'The code is not valid.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - (failures as number) });
}

/**
 * The name an authenticator app files the key under: the policy's `totp.issuer` when a workspace
 * chose one; while it is still the default (the tenant's name, what a new tenant starts with) the
 * policy's `messages.appName` when set, the name the login page and the codes' texts use, so that
 * the app shows "Acme Workspace: carol" beside "enter the code for Acme Workspace".
 */
export function totpIssuer(tenant: Pick<TenantRecord, 'name' | 'policy'>): string {
  const { issuer } = tenant.policy.totp;
  const appName = tenant.policy.messages.appName;
  return appName !== undefined && issuer === tenant.name ? appName : issuer;
}
