/**
 * Enrolling a passkey or security key: the creation options for the browser (their challenge kept
 * on the pending factor), then the registration response, checked here and stored by the change
 * that turns the factor active. enrollment.ts calls these two from startFactorEnrollment and
 * confirmFactor (and writes what they return); everything WebAuthn itself is in webauthn.ts.
 */
import type { RegistrationResponseJSON, WebauthnEnrollment } from '@twofold/contract/schemas';
import type { CoreDeps } from '../../deps';
import { fail } from '../../errors';
import { newId } from '../../ids';
import type { TenantKeys } from '../../keyring';
import type { TenantRecord, UserAggregate, WebauthnCredentialRecord, WebauthnFactorRecord } from '../../records';
import { checkRegistration, registrationOptions } from './webauthn';
import { credentialProblemMessages, relyingPartyOf, WEBAUTHN_TIMEOUT_SECONDS, type RelyingParty } from './webauthn-relying-party';

function relyingParty(tenant: TenantRecord): RelyingParty {
  const allowed = tenant.policy.methods.allowed;
  const rp = allowed.includes('webauthn') ? relyingPartyOf(tenant.policy) : undefined;
  return rp ?? fail('method_not_available', `This tenant's policy does not allow passkeys (webauthn); allowed: ${allowed.join(', ')}.`);
}

/** A pending webauthn factor holding the registration challenge (to add), and the answer with the options for navigator.credentials.create(). */
export async function startWebauthnEnrollment(
  deps: Pick<CoreDeps, 'keyRing' | 'random'>,
  tenant: TenantRecord,
  userId: string,
  user: UserAggregate,
  body: { label?: string | undefined },
  now: number,
): Promise<{ factor: WebauthnFactorRecord; enrollment: WebauthnEnrollment }> {
  const { tenantId } = tenant;
  const rp = relyingParty(tenant);
  const keys = await deps.keyRing.keysFor(tenant);
  const factorId = newId(deps.random, 'f');
  const label = body.label ?? 'Passkey';
  const { options, challenge } = await registrationOptions({ rp, random: deps.random, keys, tenantId, userId, userName: user.profile?.email ?? userId, factors: user.factors });
  const expiresAtMs = now + WEBAUTHN_TIMEOUT_SECONDS * 1000;
  const factor: WebauthnFactorRecord = { factorId, type: 'webauthn', label, status: 'pending', createdAtMs: now, failedAttempts: 0, webauthnChallenge: challenge, codeExpiresAtMs: expiresAtMs };
  return { factor, enrollment: { factorId, type: 'webauthn', status: 'pending', label, expiresAt: new Date(expiresAtMs).toISOString(), options } };
}

/**
 * Checks the registration response against the pending factor's challenge: the credential the
 * activation stores. The change that activates the factor is conditional on the user's revision,
 * so a response is accepted once (a second confirmation finds the factor active). A refused
 * response leaves the factor pending (nothing to guess: no attempt is counted).
 */
export async function checkWebauthnRegistration(
  deps: Pick<CoreDeps, 'random'>,
  tenant: TenantRecord,
  keys: TenantKeys,
  userId: string,
  user: UserAggregate,
  factor: WebauthnFactorRecord,
  response: RegistrationResponseJSON | undefined,
  now: number,
): Promise<WebauthnCredentialRecord> {
  if (!response) return fail('invalid_credential', 'Confirm a webauthn factor with credential: the registration response (credential.toJSON()).');
  if (factor.codeExpiresAtMs === undefined || now >= factor.codeExpiresAtMs) fail('enrollment_expired', 'The creation options have expired; start the enrolment again.');
  const rp = relyingParty(tenant);
  const checked = await checkRegistration({ rp, random: deps.random, keys, tenantId: tenant.tenantId, userId, factor, factors: user.factors, response });
  if (!checked.ok) return fail('invalid_credential', credentialProblemMessages[checked.problem]);
  return checked.credential;
}
