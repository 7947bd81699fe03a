/**
 * What a tenant's admins do: find users, lift a lock, reset a user who lost their device, give
 * a user new recovery codes, see adoption, read the audit trail. Every action is audited with
 * the admin as its actor.
 */
import type { AdminUserList, AdminUserQuery, AuditList, AuditQuery, Overview } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { counter } from './enforcement';
import { disableTwoFactor, type FactorRemovalDeps } from '../factors/factor-removal';
import { regenerateRecoveryCodes } from '../factors/recovery/recovery-code-sets';
import { fail } from '../errors';
import { changeUser, type ChangeDeps } from './user-change';
import { exists, userView } from './user-view';

/** How many of the latest enrollments the overview lists. */
export const RECENT_ENROLLMENTS = 10;

/** With `locked`, how many store pages one request reads at most before it answers (a short page with a cursor). */
export const LOCKED_SCAN_PAGES = 10;

export async function listUsers(deps: Pick<CoreDeps, 'clock' | 'tenant' | 'users'>, tenantId: string, query: AdminUserQuery): Promise<AdminUserList> {
  const now = deps.clock.nowMs();
  const tenant = await deps.tenant(tenantId);
  const views: AdminUserList['users'] = [];
  let cursor = query.cursor ?? null;
  // a lock is not indexed (it ends by itself as time passes): the locked filter reads pages and keeps who is locked now
  for (let read = 0; read < (query.locked ? LOCKED_SCAN_PAGES : 1); read++) {
    const page = await deps.users.listUsers(tenantId, {
      limit: query.limit - views.length,
      ...(query.status ? { status: query.status } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const users = await Promise.all(page.userIds.map((userId) => deps.users.load(tenantId, userId)));
    const seen = users.map((user, i) => userView(page.userIds[i]!, user, now, tenant));
    views.push(...(query.locked ? seen.filter((u) => u.lockedUntil !== null) : seen));
    cursor = page.nextCursor;
    if (cursor === null || views.length >= query.limit) break;
  }
  return { users: views, nextCursor: cursor };
}

export async function unlockUser(deps: ChangeDeps, tenantId: string, userId: string): Promise<void> {
  await changeUser(deps, tenantId, userId, (user) => {
    if (!exists(user)) fail('user_not_found', `No user ${userId}.`);
    return { change: { login: { clearFailures: true } }, events: [{ type: 'user.unlocked', tenantId, userId, actor: 'admin' }], result: undefined };
  });
}

/** Factors, recovery codes, trusted devices and the lock removed: the user enrolls again. */
export async function resetUser(deps: FactorRemovalDeps, tenantId: string, userId: string): Promise<void> {
  await disableTwoFactor(deps, tenantId, userId, { actor: 'admin', also: [{ type: 'user.reset', tenantId, userId, actor: 'admin' }] });
}

export const adminRegenerateRecoveryCodes = (deps: Parameters<typeof regenerateRecoveryCodes>[0], tenantId: string, userId: string) => regenerateRecoveryCodes(deps, tenantId, userId, 'admin');

export async function overview(deps: Pick<CoreDeps, 'stats'>, tenantId: string): Promise<Overview> {
  const [counts, recent] = await Promise.all([deps.stats.read(tenantId), deps.stats.recentEnrollments(tenantId, RECENT_ENROLLMENTS)]);
  const count = (name: string) => Math.max(0, counts[name] ?? 0);
  const totalUsers = count(counter.total);
  const enrolled = count(counter.status.enrolled);
  const prefix = counter.roleWithout('');
  return {
    totalUsers,
    enrolled,
    pending: count(counter.status.pending),
    notStarted: count(counter.status.not_started),
    enrollmentRate: totalUsers === 0 ? 0 : Math.round((enrolled / totalUsers) * 10_000) / 10_000,
    recoveryCodes: { low: count(counter.recoveryLow), none: count(counter.recoveryNone) },
    smsOnly: count(counter.smsOnly),
    recentEnrollments: recent.map((r) => ({ userId: r.userId, enrolledAt: new Date(r.enrolledAtMs).toISOString() })),
    rolesWithoutTwoFactor: Object.keys(counts)
      .filter((name) => name.startsWith(prefix) && count(name) > 0)
      .map((name) => ({ role: name.slice(prefix.length), users: count(name) }))
      .sort((a, b) => b.users - a.users || a.role.localeCompare(b.role)),
  };
}

/** With `type`, how many store pages one request reads at most before it answers (a short page with a cursor). */
export const AUDIT_SCAN_PAGES = 10;

export async function auditTrail(deps: Pick<CoreDeps, 'outbox'>, tenantId: string, query: AuditQuery): Promise<AuditList> {
  const { cursor: first, limit, ...filter } = query;
  const events: AuditList['events'] = [];
  let cursor = first ?? null;
  // the time range is a key condition; the type is a filter, so its pages may come back short
  for (let read = 0; read < (filter.type ? AUDIT_SCAN_PAGES : 1); read++) {
    const page = await deps.outbox.list(tenantId, { ...filter, limit: limit - events.length, ...(cursor ? { cursor } : {}) });
    events.push(...page.events.map((e) => ({ type: e.type, userId: e.userId, at: e.at, actor: e.actor, details: e.detail })));
    cursor = page.nextCursor;
    if (cursor === null || events.length >= limit) break;
  }
  return { events, nextCursor: cursor };
}
