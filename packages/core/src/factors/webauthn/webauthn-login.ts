/**
 * The login step with a passkey: the request options a challenge carries (their challenge kept
 * on the challenge record). challenges.ts calls `newWebauthnLoginChallenge`, the kind `webauthnOptionsFor`;
 * answering is webauthn-answer.ts (the only part of the login that needs the WebAuthn library).
 */
import type { CoreDeps } from '../../deps';
import type { TenantKeys } from '../../keyring';
import type { ChallengeRecord, TenantRecord, UserAggregate } from '../../records';
import { newWebauthnChallenge, relyingPartyOf, requestOptionsFor } from './webauthn-relying-party';

/** For a challenge of a user with a passkey: the challenge (base64url) to keep on it, while the policy names a relying party. */
export function newWebauthnLoginChallenge(deps: Pick<CoreDeps, 'random'>, tenant: TenantRecord): string | undefined {
  return relyingPartyOf(tenant.policy) ? newWebauthnChallenge(deps.random) : undefined;
}

/** The request options for the challenge kept on the challenge record. */
export function webauthnOptionsFor(tenant: TenantRecord, keys: TenantKeys, user: UserAggregate, challenge: ChallengeRecord) {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp || !challenge.webauthnChallenge) return undefined;
  return requestOptionsFor({ rp, keys, tenantId: tenant.tenantId, userId: challenge.userId, factors: user.factors }, challenge.webauthnChallenge);
}
