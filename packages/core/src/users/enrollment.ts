/**
 * Enrolling a factor: an authenticator app (a TOTP secret, shown once with its QR code), a phone
 * or an email address (a code sent to it), and confirming it with a code. The first active
 * factor turns two-factor on and comes with the user's recovery codes.
 */
import type { ConfirmFactorBody, CreateFactorBody, FactorEnrollment, FactorVerified } from '@twofold/contract/schemas';
import { emailOnFile } from '../events/lockout-notice';
import { composeSmsRestrictedMessage } from '../events/messages';
import type { CoreDeps } from '../deps';
import { fail } from '../errors';
import type { EnrolDeps } from '../factors/factor-kind';
import { kindOf } from '../factors/kinds';
import { MAX_ENROLLMENT_ATTEMPTS } from '../factors/pending-factors';
import type { TenantRecord, UserAggregate } from '../records';
import { newRecoverySet } from '../factors/recovery/recovery-code-sets';
import { changeUser, type ChangeDeps } from './user-change';
import { permitsType } from '../factors/method-rules';

/** A user may hold this many factors, pending ones included. */
export const MAX_FACTORS_PER_USER = 10;
export { MAX_ENROLLMENT_ATTEMPTS } from '../factors/pending-factors';
export { totpIssuer } from '../factors/totp/totp-kind';

export async function startFactorEnrollment(deps: EnrolDeps, tenantId: string, userId: string, body: CreateFactorBody): Promise<FactorEnrollment> {
  const now = deps.clock.nowMs();
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), deps.users.load(tenantId, userId)]);
  if (user.factors.length >= MAX_FACTORS_PER_USER) {
    fail('too_many_factors', `A user may have at most ${MAX_FACTORS_PER_USER} factors; remove one first.`);
  }
  if (!permitsType(tenant.policy, user, body.type)) {
    fail('method_not_available', `The tenant's role rules do not let this user enrol ${body.type}.`);
  }
  // the body's type and the kind's are one: kindOf(body.type) enrols a body of that type
  return kindOf(body.type).enrol(deps, { tenant, userId, user, body, nowMs: now });
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

    const { activated, login } = await kindOf(factor.type).confirm(deps, { tenant, keys, userId, user, factor, answer, nowMs: now });
    const firstActive = !user.factors.some((f) => f.status === 'active');
    const recovery = firstActive ? newRecoverySet(deps, tenant, userId, keys) : undefined;
    return {
      change: {
        putFactors: [activated],
        ...(login ? { login } : {}),
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

function smsNoticeFor(user: UserAggregate, tenant: TenantRecord) {
  const to = emailOnFile(user);
  return to ? { to, tenantName: tenant.name, messages: tenant.policy.messages, ...(user.profile?.locale ? { locale: user.profile.locale } : {}) } : undefined;
}
