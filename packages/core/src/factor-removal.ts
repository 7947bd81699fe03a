/**
 * Removing factors: one of them, or all of them (two-factor off). With the last active factor
 * gone, the recovery codes and trusted devices go too, and `two_factor.disabled` is emitted once.
 */
import type { Actor, CoreDeps } from './deps';
import { emit, type EmitDeps } from './events';
import { fail } from './errors';
import { syncUser, type SyncDeps } from './user-sync';
import { loadExistingUser } from './users';

/** What removing factors takes: trusted devices go with the last one. */
export type FactorRemovalDeps = Pick<CoreDeps, 'devices'> & EmitDeps & SyncDeps;

export async function removeFactor(deps: FactorRemovalDeps, tenantId: string, userId: string, factorId: string, actor: Actor = 'user'): Promise<void> {
  const user = await deps.users.load(tenantId, userId);
  const factor = user.factors.find((f) => f.factorId === factorId);
  if (!factor || !(await deps.users.deleteFactor(tenantId, userId, factorId))) fail('factor_not_found', `No factor ${factorId} for this user.`);
  const wasActive = factor!.status === 'active';
  // With the last active factor gone two-factor is off. Read again after this delete: of the
  // last factors removed at once, the last delete sees none left, and one conditional write
  // decides which removal turned two-factor off (and emits it).
  const activeLeft = wasActive && (await deps.users.load(tenantId, userId)).factors.some((f) => f.status === 'active');
  const disabled = wasActive && !activeLeft && (await deps.users.switchTwoFactor(tenantId, userId, false, deps.clock.nowMs()));
  let devices = 0;
  if (disabled) {
    // as when two-factor is disabled: recovery codes and trusted devices go with it
    await deps.users.deleteRecoverySet(tenantId, userId);
    devices = await deps.devices.removeAll(tenantId, userId);
  }
  await emit(deps, [
    // a factor never confirmed was never added
    ...(wasActive ? [{ type: 'factor.removed' as const, tenantId, userId, actor, detail: { factorId, factorType: factor!.type } }] : []),
    ...(disabled ? [{ type: 'two_factor.disabled' as const, tenantId, userId, actor }] : []),
    ...(devices > 0 ? [{ type: 'device.revoked' as const, tenantId, userId, actor, detail: { count: devices } }] : []),
  ]);
  await syncUser(deps, tenantId, userId);
}

export async function disableTwoFactor(deps: FactorRemovalDeps, tenantId: string, userId: string, actor: Actor = 'user'): Promise<void> {
  const user = await loadExistingUser(deps, tenantId, userId);
  await deps.users.deleteTwoFactorState(tenantId, userId);
  const devices = await deps.devices.removeAll(tenantId, userId);
  // of parallel disables, one conditional write decides which turned two-factor off (and emits it)
  const hadTwoFactor = user.factors.some((f) => f.status === 'active');
  const disabled = hadTwoFactor && (await deps.users.switchTwoFactor(tenantId, userId, false, deps.clock.nowMs()));
  await emit(deps, [
    ...(disabled ? [{ type: 'two_factor.disabled' as const, tenantId, userId, actor }] : []),
    ...(devices > 0 ? [{ type: 'device.revoked' as const, tenantId, userId, actor, detail: { count: devices } }] : []),
  ]);
  await syncUser(deps, tenantId, userId);
}
