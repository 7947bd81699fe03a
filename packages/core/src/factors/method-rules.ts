/**
 * Per-role method rules (`methods.roleRules`): a user with a role that a rule names may enrol and
 * log in only with the methods of every rule naming one of their roles — admins held to passkeys
 * and authenticator apps while customers may use email, say. Recovery codes always work. The
 * same answer decides enrolment, login, and whether the overview and the admin list count the
 * user as enrolled, so the three never disagree.
 */
import type { FactorType, Policy } from '@twofold/contract/schemas';
import type { FactorRecord, UserAggregate } from '../records';

/** The factor types the rules leave this user, or undefined when no rule names one of their roles. */
export function ruledTypes(policy: Policy, roles: readonly string[] | undefined): FactorType[] | undefined {
  const rules = policy.methods.roleRules.filter((r) => roles?.includes(r.role));
  if (rules.length === 0) return undefined;
  return policy.methods.allowed.filter((type) => rules.every((r) => r.allowed.includes(type)));
}

/** Whether the rules let this user use (or enrol) a factor of this type. */
export function permitsType(policy: Policy, user: Pick<UserAggregate, 'profile'>, type: FactorType): boolean {
  return ruledTypes(policy, user.profile?.roles)?.includes(type) ?? true;
}

/** The user's active factors that count: those the rules let them use. */
export function permittedActiveFactors(policy: Policy | undefined, user: UserAggregate): FactorRecord[] {
  const active = user.factors.filter((f) => f.status === 'active');
  if (!policy) return active;
  const ruled = ruledTypes(policy, user.profile?.roles);
  return ruled ? active.filter((f) => ruled.includes(f.type)) : active;
}
