/**
 * The login step with a passkey: the request options a challenge carries (their challenge kept
 * on the challenge record). challenges.ts calls `startWebauthnLogin` / `webauthnOptionsFor`;
 * answering is webauthn-answer.ts (the only part of the login that needs the WebAuthn library).
 */
import type { CoreDeps } from '../../deps';
import type { TenantKeys } from '../../keyring';
import type { ChallengeRecord, TenantRecord, UserAggregate } from '../../records';
import { relyingPartyOf, requestOptions, requestOptionsFor } from './webauthn-relying-party';

/** For a challenge of a user with a passkey: the challenge to keep on it and the options to return. */
export function startWebauthnLogin(deps: Pick<CoreDeps, 'random'>, tenant: TenantRecord, keys: TenantKeys, user: UserAggregate, userId: string) {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp) return undefined;
  return requestOptions({ rp, random: deps.random, keys, tenantId: tenant.tenantId, userId, factors: user.factors });
}

/** The request options again, for the challenge kept already (a resend that switches to webauthn). */
export function webauthnOptionsFor(tenant: TenantRecord, keys: TenantKeys, user: UserAggregate, challenge: ChallengeRecord) {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp || !challenge.webauthnChallenge) return undefined;
  return requestOptionsFor({ rp, keys, tenantId: tenant.tenantId, userId: challenge.userId, factors: user.factors }, challenge.webauthnChallenge);
}
