/**
 * The login step with a passkey: the request options a challenge carries (their challenge kept
 * on the challenge record), and checking the authentication response that answers it.
 * challenges.ts calls `startWebauthnLogin` / `webauthnOptionsFor`, verification.ts calls
 * `checkWebauthnAnswer` then writes what it returns; everything WebAuthn itself is in webauthn.ts.
 */
import type { AuthenticationResponseJSON } from '@twofold/contract/schemas';
import type { CoreDeps } from './deps';
import type { TenantKeys } from './keyring';
import type { ChallengeRecord, TenantRecord, UserAggregate } from './records';
import { checkAuthentication, relyingPartyOf, requestOptions, requestOptionsFor, type AuthenticationCheck } from './webauthn';

/** For a challenge of a user with a passkey: the challenge to keep on it and the options to return. */
export async function startWebauthnLogin(deps: Pick<CoreDeps, 'random'>, tenant: TenantRecord, keys: TenantKeys, user: UserAggregate, userId: string) {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp) return undefined;
  return requestOptions({ rp, random: deps.random, keys, tenantId: tenant.tenantId, userId, factors: user.factors });
}

/** The request options again, for the challenge kept already (a resend that switches to webauthn). */
export async function webauthnOptionsFor(tenant: TenantRecord, keys: TenantKeys, user: UserAggregate, challenge: ChallengeRecord) {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp || !challenge.webauthnChallenge) return undefined;
  return requestOptionsFor({ rp, keys, tenantId: tenant.tenantId, userId: challenge.userId, factors: user.factors }, challenge.webauthnChallenge);
}

/**
 * Checks an authentication response against the challenge and the user's credentials (under the
 * tenant's current relying party, so a policy that drops an origin applies at once). On success,
 * `use` is what the write that accepts it must do: move the credential's counter from
 * `use.expectedSignCount` to `use.signCount`, conditionally, before (or with) marking the challenge verified.
 */
export async function checkWebauthnAnswer(
  deps: Pick<CoreDeps, 'random'>,
  tenant: TenantRecord,
  keys: TenantKeys,
  challenge: ChallengeRecord,
  user: UserAggregate,
  response: AuthenticationResponseJSON,
  nowMs: number,
): Promise<AuthenticationCheck> {
  const rp = relyingPartyOf(tenant.policy);
  if (!rp) return { ok: false, problem: 'rp_id' };
  if (challenge.method !== 'webauthn' || !challenge.webauthnChallenge) return { ok: false, problem: 'challenge' };
  return checkAuthentication({
    rp,
    random: deps.random,
    keys,
    tenantId: challenge.tenantId,
    userId: challenge.userId,
    expectedChallenge: challenge.webauthnChallenge,
    factors: user.factors,
    response,
    nowMs,
  });
}
