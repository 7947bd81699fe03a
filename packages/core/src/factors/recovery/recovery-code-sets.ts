/**
 * A user's set of recovery codes: issued with the first active factor, counted (and, after a
 * fresh verification, shown again), replaced with a new set. Only salted keyed hashes are
 * compared; the codes themselves are kept sealed under the tenant's data key so they can be
 * shown again.
 */
import type { Actor, CoreDeps } from '../../deps';
import { fail } from '../../errors';
import { spendFreshVerification, type FreshVerification } from '../../login/fresh-verification';
import { keyedHash, type TenantKeys } from '../../keyring';
import { sameHash } from '../codes/otp-codes';
import type { Random } from '../../ports';
import type { RecoverySet, TenantRecord } from '../../records';
import { newRecoveryCodes, recoveryCodeKey } from './recovery-codes';
import { open, seal } from '../../secret-box';
import { changeUser, type ChangeDeps } from '../../users/user-change';
import { exists } from '../../users/user-view';

const recoveryBinding = (tenantId: string, userId: string) => ['recovery-codes', tenantId, userId] as const;

/** Random bytes of salt per code (128 bits): unique per stored code, whoever holds the table. */
const SALT_BYTES = 16;

/**
 * How a recovery code is stored: `<salt>.<HMAC-SHA-256(hashKey, [tenant, user, salt ‖ code])>`
 * with a random salt per code (base64url, so the dot cannot occur in either part). OWASP ASVS
 * 5.0 6.5.2 asks that look-up secrets of less than 112 bits (ours have 80) be stored hashed with
 * a random salt: the same code of two users, or of two sets of one user, is stored differently,
 * and the table holds no code. The one function that makes a stored code (the user import uses
 * it too).
 */
export function hashRecoveryCode(random: Random, hashKey: Uint8Array, tenantId: string, userId: string, code: string): string {
  const normalised = recoveryCodeKey(code);
  if (normalised === undefined) throw new Error('not a recovery code');
  const salt = Buffer.from(random.bytes(SALT_BYTES)).toString('base64url');
  return `${salt}.${keyedHash(hashKey, tenantId, userId, `${salt}${normalised}`)}`;
}

/**
 * The stored entry that `code` matches, if any: the code is hashed with each entry's salt and
 * compared in constant time. An entry without a salt (a set made before salts, an HMAC of the
 * code alone) still matches its code, until the set is replaced.
 */
export function matchRecoveryCode(hashKey: Uint8Array, tenantId: string, userId: string, stored: readonly string[], code: string): string | undefined {
  const normalised = recoveryCodeKey(code);
  if (normalised === undefined) return undefined;
  let unsalted: string | undefined;
  let found: string | undefined;
  // every entry is checked, so the time taken does not say which one matched
  for (const entry of stored) {
    const dot = entry.indexOf('.');
    const expected = dot < 0 ? (unsalted ??= keyedHash(hashKey, tenantId, userId, normalised)) : keyedHash(hashKey, tenantId, userId, `${entry.slice(0, dot)}${normalised}`);
    if (sameHash(expected, dot < 0 ? entry : entry.slice(dot + 1))) found ??= entry;
  }
  return found;
}

/** A new set of recovery codes: the codes to show once, and the set to commit with the change. */
export function newRecoverySet(deps: Pick<CoreDeps, 'clock' | 'random'>, tenant: TenantRecord, userId: string, keys: TenantKeys): { codes: string[]; set: RecoverySet } {
  const codes = newRecoveryCodes(deps.random, tenant.policy.recoveryCodes.count);
  return {
    codes,
    set: {
      hashes: codes.map((c) => hashRecoveryCode(deps.random, keys.hashKey, tenant.tenantId, userId, c)),
      sealedCodes: sealRecoveryCodes(keys, deps.random, tenant.tenantId, userId, codes),
      createdAtMs: deps.clock.nowMs(),
    },
  };
}

/** The codes, sealed for showing again, bound to the tenant and user. */
export const sealRecoveryCodes = (keys: TenantKeys, random: Pick<CoreDeps, 'random'>['random'], tenantId: string, userId: string, codes: string[]) =>
  seal(keys.sealKey, random, Buffer.from(JSON.stringify(codes)), recoveryBinding(tenantId, userId));

/** The codes of a set, unsealed (shown again after a fresh verification). */
export function codesOf(keys: TenantKeys, tenantId: string, userId: string, set: RecoverySet): string[] {
  return JSON.parse(Buffer.from(open(keys.sealKey, set.sealedCodes, recoveryBinding(tenantId, userId))).toString('utf8')) as string[];
}

/**
 * How many recovery codes the user has left and, with a fresh verification (an assertion, spent
 * here, or an admin key), the unused codes themselves: a view of working credentials, so it is
 * audited (`recovery_codes.viewed`, with who looked) in the change that spends the assertion,
 * before the codes are returned.
 */
export async function recoveryCodesRemaining(
  deps: Pick<CoreDeps, 'keyRing'> & ChangeDeps,
  tenantId: string,
  userId: string,
  options: { fresh?: FreshVerification | undefined; actor?: Actor } = {},
) {
  return changeUser<{ remaining: number; codes?: string[] }>(deps, tenantId, userId, async (user, tenant) => {
    if (!exists(user)) fail('user_not_found', `No user ${userId}.`);
    const remaining = user.recovery?.hashes.length ?? 0;
    if (!options.fresh || !user.recovery) return { result: { remaining } };
    const spent = spendFreshVerification(user, options.fresh, deps.clock.nowMs());
    const keys = await deps.keyRing.keysFor(tenant);
    const all = codesOf(keys, tenantId, userId, user.recovery);
    const left = user.recovery.hashes;
    const codes = all.filter((c) => matchRecoveryCode(keys.hashKey, tenantId, userId, left, c) !== undefined);
    return {
      ...(spent ? { change: { profile: spent } } : {}),
      events: [{ type: 'recovery_codes.viewed' as const, tenantId, userId, actor: options.actor ?? 'user', detail: { remaining: codes.length } }],
      result: { remaining, codes },
    };
  });
}

export async function regenerateRecoveryCodes(deps: Pick<CoreDeps, 'keyRing'> & ChangeDeps, tenantId: string, userId: string, actor: Actor = 'user', fresh?: FreshVerification) {
  return changeUser(deps, tenantId, userId, async (user, tenant) => {
    if (!exists(user)) fail('user_not_found', `No user ${userId}.`);
    if (!user.factors.some((f) => f.status === 'active')) fail('not_enrolled', 'The user has no active factor, so no recovery codes.');
    const spent = spendFreshVerification(user, fresh, deps.clock.nowMs());
    const next = newRecoverySet(deps, tenant, userId, await deps.keyRing.keysFor(tenant));
    return {
      // every earlier code stops working with this write
      change: { recovery: { put: next.set }, ...(spent ? { profile: spent } : {}) },
      events: [{ type: 'recovery_codes.regenerated' as const, tenantId, userId, actor }],
      result: { recoveryCodes: next.codes },
    };
  });
}
