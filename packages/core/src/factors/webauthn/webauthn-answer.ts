/**
 * Answering a challenge with a passkey: the authentication response checked against the
 * challenge and the user's credentials. verification.ts calls `checkWebauthnAnswer` (loading this
 * module only when a credential comes, so that a TOTP or SMS login never evaluates the library)
 * and then writes what it returns.
 */
import type { AuthenticationResponseJSON } from '@twofold/contract/schemas';
import type { CoreDeps } from '../../deps';
import type { TenantKeys } from '../../keyring';
import type { ChallengeRecord, TenantRecord, UserAggregate } from '../../records';
import { checkAuthentication } from './webauthn';
import { relyingPartyOf, type AuthenticationCheck } from './webauthn-relying-party';

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
