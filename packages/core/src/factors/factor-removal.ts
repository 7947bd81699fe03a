/**
 * Removing factors: one of them, or all of them (two-factor off). With the last active factor
 * gone, the recovery codes, the login state and the trusted devices go too, and
 * `two_factor.disabled` is emitted — decided on the user as read and committed with the change,
 * so that of racing removals exactly one turns two-factor off, and a retry emits nothing again.
 */
import type { NewEvent } from '../events';
import type { Actor, CoreDeps } from '../deps';
import { allDevicesOf } from '../login/devices';
import { fail } from '../errors';
import { exists } from '../users/user-view';
import { changeUser, type ChangeDeps, type ChangeParts } from '../users/user-change';
import type { UserAggregate } from '../records';
import { spendFreshVerification, type FreshVerification } from '../login/fresh-verification';

/** What removing factors takes: trusted devices go with the last one. */
export type FactorRemovalDeps = Pick<CoreDeps, 'devices'> & ChangeDeps;

export async function removeFactor(deps: FactorRemovalDeps, tenantId: string, userId: string, factorId: string, actor: Actor = 'user', fresh?: FreshVerification): Promise<void> {
  await changeUser(deps, tenantId, userId, async (user) => {
    const factor = user.factors.find((f) => f.factorId === factorId) ?? fail('factor_not_found', `No factor ${factorId} for this user.`);
    const spent = spendFreshVerification(user, fresh, deps.clock.nowMs());
    const wasActive = factor.status === 'active';
    const lastActive = wasActive && !user.factors.some((f) => f.status === 'active' && f.factorId !== factorId);
    const off = lastActive ? await twoFactorOff(deps, user, tenantId, userId, actor) : undefined;
    return {
      change: { deleteFactors: [factorId], ...(off ? off.change : { login: { removeSteps: [factorId] } }), ...(spent ? { profile: spent } : {}) },
      events: [
        // a factor never confirmed was never added
        ...(wasActive ? [{ type: 'factor.removed' as const, tenantId, userId, actor, detail: { factorId, factorType: factor.type } }] : []),
        ...(off?.events ?? []),
      ],
      result: undefined,
    };
  });
}

/** Two-factor off: every factor, recovery code, trusted device and the login state go. */
export async function disableTwoFactor(
  deps: FactorRemovalDeps,
  tenantId: string,
  userId: string,
  options: { actor?: Actor; also?: NewEvent[]; fresh?: FreshVerification | undefined } = {},
): Promise<void> {
  const { actor = 'user', also = [] } = options;
  await changeUser(deps, tenantId, userId, async (user) => {
    if (!exists(user)) fail('user_not_found', `No user ${userId}.`);
    const off = await twoFactorOff(deps, user, tenantId, userId, actor);
    // nothing left to turn off (asked again, or by a request that lost the race): done, and no assertion spent on it
    if (user.factors.length === 0 && off.change.recovery === undefined && off.change.devices === undefined && also.length === 0) return { result: undefined };
    const spent = spendFreshVerification(user, options.fresh, deps.clock.nowMs());
    return { change: { deleteFactors: user.factors.map((f) => f.factorId), ...off.change, ...(spent ? { profile: spent } : {}) }, events: [...off.events, ...also], result: undefined };
  });
}

async function twoFactorOff(deps: FactorRemovalDeps, user: UserAggregate, tenantId: string, userId: string, actor: Actor): Promise<{ change: ChangeParts; events: NewEvent[] }> {
  const devices = await allDevicesOf(deps, tenantId, userId);
  const wasOn = user.factors.some((f) => f.status === 'active');
  const change: ChangeParts = {
    login: { delete: true },
    ...(user.recovery ? { recovery: { remove: true } } : {}),
    ...(devices.remove.length + devices.forgetIps.length > 0 ? { devices } : {}),
  };
  return {
    change,
    events: [
      ...(wasOn ? [{ type: 'two_factor.disabled' as const, tenantId, userId, actor }] : []),
      ...(devices.remove.length > 0 ? [{ type: 'device.revoked' as const, tenantId, userId, actor, detail: { count: devices.remove.length } }] : []),
    ],
  };
}
