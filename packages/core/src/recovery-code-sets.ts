/**
 * A user's set of recovery codes: issued with the first active factor, counted (and, after a
 * fresh verification, shown again), replaced with a new set. Only keyed hashes are compared;
 * the codes themselves are kept sealed under the tenant's data key so they can be shown again.
 */
import type { Actor, CoreDeps } from './deps';
import { fail } from './errors';
import { spendFreshVerification, type FreshVerification } from './fresh-verification';
import { keyedHash, type TenantKeys } from './keyring';
import type { RecoverySet, TenantRecord } from './records';
import { newRecoveryCodes, recoveryCodeKey } from './recovery-codes';
import { open, seal } from './secret-box';
import { changeUser, type ChangeDeps } from './user-change';
import { exists } from './user-view';

const recoveryBinding = (tenantId: string, userId: string) => ['recovery-codes', tenantId, userId] as const;

/** A new set of recovery codes: the codes to show once, and the set to commit with the change. */
export function newRecoverySet(deps: Pick<CoreDeps, 'clock' | 'random'>, tenant: TenantRecord, userId: string, keys: TenantKeys): { codes: string[]; set: RecoverySet } {
  const codes = newRecoveryCodes(deps.random, tenant.policy.recoveryCodes.count);
  return {
    codes,
    set: {
      hashes: codes.map((c) => keyedHash(keys.hashKey, tenant.tenantId, userId, recoveryCodeKey(c)!)),
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
    const left = new Set(user.recovery.hashes);
    const codes = all.filter((c) => left.has(keyedHash(keys.hashKey, tenantId, userId, recoveryCodeKey(c)!)));
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
