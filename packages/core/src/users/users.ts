/** Users as client apps see them: create or update one, read it, list its factors. */
import type { PutUserBody, User } from '@twofold/contract/schemas';
import type { Actor, CoreDeps } from '../deps';
import { allDevicesOf } from '../login/devices';
import { fail } from '../errors';
import type { UserAggregate, UserProfile } from '../records';
import { changeUser, type ChangeDeps } from './user-change';
import { exists, factorView, userView } from './user-view';

/** The user, or 404 user_not_found when the client app never created it. */
export async function loadExistingUser(deps: Pick<CoreDeps, 'users'>, tenantId: string, userId: string): Promise<UserAggregate> {
  const user = await deps.users.load(tenantId, userId);
  if (!exists(user)) fail('user_not_found', `No user ${userId}.`);
  return user;
}

export async function putUser(deps: ChangeDeps, tenantId: string, userId: string, body: PutUserBody): Promise<User> {
  const now = deps.clock.nowMs();
  return changeUser(deps, tenantId, userId, async (current, tenant) => {
    const roles = body.roles ?? current.profile?.roles ?? [];
    // a role's grace period (when the policy enforces it) runs from when the user got it
    const before = current.profile?.roleSince ?? {};
    const profile: UserProfile = {
      tenantId,
      userId,
      ...current.profile,
      email: body.email ?? current.profile?.email,
      // the full phone metadata is loaded only when a phone is given (its own chunk: infra/bundling.ts)
      phone: body.phone !== undefined ? (await import('../factors/codes/phone-numbers')).profilePhone(body.phone) : current.profile?.phone,
      roles,
      sso: body.sso ?? current.profile?.sso ?? false,
      locale: body.locale ? Intl.getCanonicalLocales(body.locale)[0] : current.profile?.locale,
      createdAtMs: current.profile?.createdAtMs ?? now,
      updatedAtMs: now,
      roleSince: Object.fromEntries(roles.map((r) => [r, before[r] ?? now])),
    };
    const { tenantId: _t, userId: _u, ...fields } = profile;
    return { change: { profile: fields }, result: userView(userId, { ...current, profile }, now, tenant) };
  });
}

export async function getUser(deps: Pick<CoreDeps, 'clock' | 'tenant' | 'users'>, tenantId: string, userId: string): Promise<User> {
  const [tenant, user] = await Promise.all([deps.tenant(tenantId), loadExistingUser(deps, tenantId, userId)]);
  return userView(userId, user, deps.clock.nowMs(), tenant);
}

export async function listFactors(deps: Pick<CoreDeps, 'users'>, tenantId: string, userId: string) {
  const user = await loadExistingUser(deps, tenantId, userId);
  return { factors: user.factors.map(factorView) };
}

/**
 * Erasure (a user who leaves): profile with email and phone, factors, recovery codes, the login
 * item with its challenges, trusted devices and remembered IPs, the user's send counters, their
 * share of the overview, and their audit entries — but the `user.deleted` left in their place.
 * The user change is one transaction; the audit entries and counters are removed after it, and
 * a retried erasure finishes that part (answering 404 once the user is gone).
 */
export async function eraseUser(deps: ChangeDeps & Pick<CoreDeps, 'devices' | 'throttle'>, tenantId: string, userId: string, actor: Actor = 'user'): Promise<void> {
  const existed = await changeUser(deps, tenantId, userId, async (user) => {
    if (!exists(user)) return { result: false };
    return {
      change: {
        erase: true,
        deleteFactors: user.factors.map((f) => f.factorId),
        login: { delete: true },
        ...(user.recovery ? { recovery: { remove: true } } : {}),
        devices: await allDevicesOf(deps, tenantId, userId),
      },
      events: [{ type: 'user.deleted' as const, tenantId, userId, actor }],
      result: true,
    };
  });
  await Promise.all([deps.outbox.eraseUser(tenantId, userId, ['user.deleted']), deps.throttle.forgetUser(tenantId, userId)]);
  if (!existed) fail('user_not_found', `No user ${userId}.`);
}
