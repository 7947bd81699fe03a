/**
 * A user's set of recovery codes: issued with the first active factor, counted (and, after a
 * fresh verification, shown again), replaced with a new set. Only keyed hashes are compared;
 * the codes themselves are kept sealed under the tenant's data key so they can be shown again.
 */
import type { Actor, CoreDeps } from './deps';
import { emit, type EmitDeps } from './events';
import { fail } from './errors';
import { keyedHash, type TenantKeys } from './keyring';
import type { RecoverySet, TenantRecord } from './records';
import { newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';
import { open, seal } from './secret-box';
import { syncUser, type SyncDeps } from './user-sync';
import { loadExistingUser } from './users';

const recoveryBinding = (tenantId: string, userId: string) => ['recovery-codes', tenantId, userId] as const;

export async function issueRecoveryCodes(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'users'>,
  tenant: TenantRecord,
  userId: string,
  keys: TenantKeys,
  options: { onlyIfAbsent: boolean },
): Promise<string[] | undefined> {
  const codes = newRecoveryCodes(deps.random, tenant.policy.recoveryCodes.count);
  const set: RecoverySet = {
    hashes: codes.map((c) => keyedHash(keys.hashKey, tenant.tenantId, userId, normaliseRecoveryCode(c)!)),
    sealedCodes: seal(keys.sealKey, deps.random, Buffer.from(JSON.stringify(codes)), recoveryBinding(tenant.tenantId, userId)),
    createdAtMs: deps.clock.nowMs(),
  };
  const written = await deps.users.putRecoverySet(tenant.tenantId, userId, set, options);
  return written ? codes : undefined;
}

/** How many recovery codes are left; with `reveal` (a fresh verification) also which ones. */
/**
 * How many recovery codes the user has left and, with `reveal` (a fresh verification, or an
 * admin key), the unused codes themselves: a view of working credentials, so it is audited
 * (`recovery_codes.viewed`, with who looked) before the codes are returned.
 */
export async function recoveryCodesRemaining(
  deps: Pick<CoreDeps, 'keyRing' | 'tenant' | 'users'> & EmitDeps,
  tenantId: string,
  userId: string,
  options: { reveal?: boolean; actor?: Actor } = {},
) {
  const user = await loadExistingUser(deps, tenantId, userId);
  const remaining = user.recovery?.hashes.length ?? 0;
  if (!options.reveal || !user.recovery) return { remaining };
  const keys = await deps.keyRing.keysFor(await deps.tenant(tenantId));
  const all = JSON.parse(Buffer.from(open(keys.sealKey, user.recovery.sealedCodes, recoveryBinding(tenantId, userId))).toString('utf8')) as string[];
  const left = new Set(user.recovery.hashes);
  const codes = all.filter((c) => left.has(keyedHash(keys.hashKey, tenantId, userId, normaliseRecoveryCode(c)!)));
  await emit(deps, [{ type: 'recovery_codes.viewed', tenantId, userId, actor: options.actor ?? 'user', detail: { remaining: codes.length } }]);
  return { remaining, codes };
}

export async function regenerateRecoveryCodes(deps: Pick<CoreDeps, 'keyRing'> & EmitDeps & SyncDeps, tenantId: string, userId: string, actor: Actor = 'user') {
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), loadExistingUser(deps, tenantId, userId)]);
  if (!user.factors.some((f) => f.status === 'active')) fail('not_enrolled', 'The user has no active factor, so no recovery codes.');
  const keys = await deps.keyRing.keysFor(tenant);
  const codes = await issueRecoveryCodes(deps, tenant, userId, keys, { onlyIfAbsent: false });
  await emit(deps, [{ type: 'recovery_codes.regenerated', tenantId, userId, actor }]);
  await syncUser(deps, tenantId, userId);
  return { recoveryCodes: codes! };
}
