/**
 * Who must use two-factor, and by when. The policy requires it of everyone (`all`), of users
 * with certain roles (`roles`), or of no one (`optional`); SSO users may be exempt. A user the
 * policy newly covers gets a grace period — `gracePeriodDays` from the moment the policy (or the
 * role) started to cover them, or until the policy's fixed `graceEndsAt` — during which they may still
 * sign in without a factor. After it, sign-in answers `enrollment_required` until they enroll.
 */
import type { EnforcementState, FactorType, Policy } from '@twofold/contract/schemas';
import type { EnforcementSince, TenantRecord, UserAggregate, UserSummary } from '../records';
import { LOW_RECOVERY_CODES } from '../events';
import { permittedActiveFactors, ruledTypes } from '../factors/method-rules';
import { statusOf } from './user-status';

const DAY_MS = 86_400_000;

export interface Enforcement {
  state: EnforcementState;
  required: boolean;
  graceEndsAtMs: number | null;
}

/** An active factor the role rules let the user log in with. */
const hasActiveFactor = (tenant: TenantRecord, user: UserAggregate) => permittedActiveFactors(tenant.policy, user).length > 0;

/** When the policy started to require two-factor of this user; undefined when it does not. */
export function enforcedSinceMs(policy: Policy, since: EnforcementSince | undefined, user: UserAggregate): number | undefined {
  const { mode, roles } = policy.enforcement;
  if (!policy.enabled || mode === 'optional') return undefined;
  const joinedMs = user.profile?.createdAtMs ?? 0;
  if (mode === 'all') return Math.max(since?.all ?? 0, joinedMs);
  const starts = (user.profile?.roles ?? [])
    .filter((role) => roles.includes(role))
    .map((role) => Math.max(since?.roles?.[role] ?? 0, user.profile?.roleSince?.[role] ?? joinedMs));
  return starts.length > 0 ? Math.min(...starts) : undefined;
}

/**
 * The end of a grace period that starts at `startMs`. A fixed `graceEndsAt` is a deadline for
 * everyone the policy covers, whenever they joined or got the role ("choose the date until
 * which you want the grace period to last"): a user covered after it, or a date already past,
 * must enroll at once. Without one, `gracePeriodDays` after the start.
 */
export function graceDeadlineMs(policy: Policy, startMs: number): number {
  if (policy.enforcement.graceEndsAt !== null) return Date.parse(policy.enforcement.graceEndsAt);
  return startMs + policy.enforcement.gracePeriodDays * DAY_MS;
}

/** The user's grace deadline while the policy requires a factor they do not have; else null. */
function pendingDeadlineMs(tenant: TenantRecord, user: UserAggregate): number | null {
  const since = enforcedSinceMs(tenant.policy, tenant.enforcementSince, user);
  if (since === undefined) return null;
  if (user.profile?.sso && tenant.policy.enforcement.exemptSso) return null;
  if (hasActiveFactor(tenant, user)) return null;
  return graceDeadlineMs(tenant.policy, since);
}

export function enforcementOf(tenant: TenantRecord, user: UserAggregate, nowMs: number): Enforcement {
  const since = enforcedSinceMs(tenant.policy, tenant.enforcementSince, user);
  if (since === undefined) return { state: 'optional', required: false, graceEndsAtMs: null };
  if (user.profile?.sso && tenant.policy.enforcement.exemptSso) return { state: 'exempt', required: false, graceEndsAtMs: null };
  if (hasActiveFactor(tenant, user)) return { state: 'required', required: true, graceEndsAtMs: null };
  const deadline = graceDeadlineMs(tenant.policy, since);
  return { state: nowMs < deadline ? 'grace' : 'required', required: true, graceEndsAtMs: deadline };
}

/**
 * What a user must enroll before using the app, if anything: a user past their grace period any
 * factor the policy allows (an authenticator app when the policy requires one), an enrolled
 * user without an authenticator app when the policy requires one, and a user the role rules
 * hold to methods none of their active factors is (whatever the enforcement: the rules say how
 * they may log in at all).
 */
export function enrollmentDue(tenant: TenantRecord, user: UserAggregate, nowMs: number): FactorType[] | undefined {
  const { policy } = tenant;
  const ruled = ruledTypes(policy, user.profile?.roles);
  if (ruled && !hasActiveFactor(tenant, user) && user.factors.some((f) => f.status === 'active')) return ruled;
  const totpRequired = policy.authenticatorEnrollment === 'required' && policy.methods.allowed.includes('totp') && (ruled?.includes('totp') ?? true);
  if (hasActiveFactor(tenant, user)) {
    const hasTotp = user.factors.some((f) => f.status === 'active' && f.type === 'totp');
    return totpRequired && !hasTotp ? ['totp'] : undefined;
  }
  const enforcement = enforcementOf(tenant, user, nowMs);
  if (enforcement.state !== 'required') return undefined;
  return totpRequired ? ['totp'] : [...(ruled ?? policy.methods.allowed)];
}

export function summarise(tenant: TenantRecord, user: UserAggregate): UserSummary {
  const status = statusOf(user, tenant.policy);
  const enrolled = status === 'enrolled';
  const remaining = user.recovery?.hashes.length ?? 0;
  const activatedAt = permittedActiveFactors(tenant.policy, user).map((f) => f.activatedAtMs ?? f.createdAtMs);
  const active = user.factors.filter((f) => f.status === 'active');
  return {
    status,
    recovery: !enrolled ? null : remaining === 0 ? 'none' : remaining <= LOW_RECOVERY_CODES ? 'low' : 'ok',
    rolesWithout: enrolled ? [] : [...new Set(user.profile?.roles ?? [])].sort(),
    enrolledAtMs: activatedAt.length > 0 ? Math.min(...activatedAt) : null,
    graceEndsAtMs: pendingDeadlineMs(tenant, user),
    smsOnly: active.length > 0 && active.every((f) => f.type === 'sms'),
  };
}

export const sameSummary = (a: UserSummary, b: UserSummary) =>
  a.status === b.status &&
  a.recovery === b.recovery &&
  a.enrolledAtMs === b.enrolledAtMs &&
  a.graceEndsAtMs === b.graceEndsAtMs &&
  a.smsOnly === b.smsOnly &&
  a.rolesWithout.join('\n') === b.rolesWithout.join('\n');

/** Counter names of the overview. */
export const counter = {
  total: 'total',
  status: { enrolled: 'enrolled', pending: 'pending', not_started: 'notStarted' },
  recoveryLow: 'recoveryLow',
  recoveryNone: 'recoveryNone',
  smsOnly: 'smsOnly',
  roleWithout: (role: string) => `role:${role}`,
} as const;

function contribution(summary: UserSummary | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  if (!summary) return counts;
  counts.set(counter.total, 1);
  counts.set(counter.status[summary.status], 1);
  if (summary.recovery === 'low') counts.set(counter.recoveryLow, 1);
  if (summary.recovery === 'none') counts.set(counter.recoveryNone, 1);
  if (summary.smsOnly) counts.set(counter.smsOnly, 1);
  for (const role of summary.rolesWithout) counts.set(counter.roleWithout(role), 1);
  return counts;
}

/** How the tenant's counters move when a user's summary goes from `before` to `after`. */
export function summaryDelta(before: UserSummary | undefined, after: UserSummary): Record<string, number> {
  const delta: Record<string, number> = {};
  const a = contribution(before);
  const b = contribution(after);
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const change = (b.get(name) ?? 0) - (a.get(name) ?? 0);
    if (change !== 0) delta[name] = change;
  }
  return delta;
}
