/**
 * Fresh verification for sensitive operations: the caller sends the assertion a verified
 * challenge returned (Twofold-Assertion), and it is checked here against the deployment's
 * signing key. Apart from the signer (assertions.ts) so that only the functions with such
 * routes carry the JWT verifier.
 */
import { errors, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { ASSERTION_ALG, type AssertionClaims, type AssertionSigner } from './assertions';
import type { Clock } from '../ports';
import { fail } from '../errors';
import type { UserAggregate, UserProfile } from '../records';

export type FreshVerification = { by: 'assertion'; claims: AssertionClaims } | { by: 'admin' };

const refuse = (why: string): never =>
  fail('fresh_verification_required', `This operation needs a fresh two-factor verification (${why}): verify a challenge and send its assertion in the Twofold-Assertion header.`);

/**
 * Checks an assertion for a sensitive operation on `userId` of `tenantId`: signed by this
 * deployment, unexpired, for that user and tenant, and verified no more than
 * `maxAgeSeconds` ago. Anything else is 403 fresh_verification_required.
 */
export async function verifyFreshAssertion(
  deps: { assertions: AssertionSigner; clock: Clock },
  token: string | undefined,
  expected: { tenantId: string; userId: string; maxAgeSeconds: number },
): Promise<AssertionClaims> {
  if (!token) return refuse('no Twofold-Assertion header');
  const publicJwk = await deps.assertions.publicJwk();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await importJWK(publicJwk, ASSERTION_ALG), {
      issuer: deps.assertions.issuer,
      algorithms: [ASSERTION_ALG],
      currentDate: new Date(deps.clock.nowMs()),
    }));
  } catch (error) {
    return refuse(error instanceof errors.JWTExpired ? 'the assertion has expired' : 'the assertion is not valid');
  }
  const claims = payload as AssertionClaims;
  if (claims.tid !== expected.tenantId || claims.sub !== expected.userId) return refuse('the assertion is for another user');
  if (typeof claims.auth_time !== 'number' || deps.clock.nowMs() / 1000 - claims.auth_time > expected.maxAgeSeconds) {
    return refuse(`the verification is older than ${expected.maxAgeSeconds} seconds`);
  }
  return claims;
}

/**
 * The fresh-verification rule for sensitive operations on a user: an app key must send an
 * assertion for that user and tenant, younger than the policy's freshVerificationSeconds; an
 * admin key is exempt (an operator acting for the user; the admin trail records it).
 * `optional`: without an assertion the operation runs with less (undefined).
 */
export async function checkFreshVerification(
  deps: { assertions: AssertionSigner; clock: Clock; tenant(tenantId: string): Promise<{ policy: { freshVerificationSeconds: number } }> },
  input: { tenantId: string; scope: 'app' | 'admin'; userId: string; assertion: string | undefined; mode: 'required' | 'optional' },
): Promise<FreshVerification | undefined> {
  if (input.scope === 'admin') return { by: 'admin' };
  if (input.mode === 'optional' && input.assertion === undefined) return undefined;
  const { policy } = await deps.tenant(input.tenantId);
  const claims = await verifyFreshAssertion(deps, input.assertion, {
    tenantId: input.tenantId,
    userId: input.userId,
    maxAgeSeconds: policy.freshVerificationSeconds,
  });
  return { by: 'assertion', claims };
}

/**
 * The assertion of a sensitive operation, spent: checked against the user as the operation's
 * change read them, and recorded (by its jti) in that same change, so that it serves one
 * operation, however many race (one commits; the others decide again and find it spent). It
 * must be of the user's current security epoch: made before a reset, two-factor off, a removed
 * factor, new recovery codes or an erasure, it proves nothing about the user as they are now.
 * Returns the profile fields to commit with the change (none for an admin key).
 */
export function spendFreshVerification(user: UserAggregate, fresh: FreshVerification | undefined, nowMs: number): Pick<UserProfile, 'spentAssertions'> | undefined {
  if (fresh === undefined || fresh.by === 'admin') return undefined;
  const { claims } = fresh;
  if (!user.profile || claims.epoch !== user.profile.securityEpoch) return refuse("the user's two-factor settings changed after that verification");
  const spent = user.profile.spentAssertions ?? {};
  if (spent[claims.jti] !== undefined) return refuse('that assertion was already used for a sensitive operation');
  // what has expired can no longer be presented: it need not be remembered
  const kept = Object.fromEntries(Object.entries(spent).filter(([, expiresAtMs]) => expiresAtMs > nowMs));
  return { spentAssertions: { ...kept, [claims.jti]: (claims.exp ?? Math.floor(nowMs / 1000)) * 1000 } };
}
