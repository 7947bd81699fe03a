/**
 * The tenant's policy. Field rules live in the contract's schema; the rules across fields live
 * here, each refusal naming the field to change. A new policy applies from the next challenge:
 * live challenges keep the limits they copied when they started.
 */
import type { Policy, PolicyReplacement } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { emit, type EmitDeps } from '../events';
import { fail } from '../errors';
import type { EnforcementSince, TenantRecord } from '../records';
import { parse as parseDomain } from 'tldts';
import { isRpId, originProblem } from '../factors/webauthn/webauthn-relying-party';

export interface PolicyProblem {
  path: string;
  message: string;
}

/** What is inconsistent in the policy, given what the deployment can deliver. */
export function policyProblems(policy: Policy, deployment: { sms: boolean }): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const { allowed } = policy.methods;
  const duplicate = allowed.find((m, i) => allowed.indexOf(m) !== i);
  if (duplicate) problems.push({ path: 'methods.allowed', message: `lists "${duplicate}" more than once; list each method once` });
  if (!allowed.includes(policy.methods.default)) {
    problems.push({ path: 'methods.default', message: `"${policy.methods.default}" is not in methods.allowed (${allowed.join(', ')}); allow it or choose one of those as the default` });
  }
  if (allowed.includes('sms') && !deployment.sms) {
    problems.push({
      path: 'methods.allowed',
      message: 'this deployment has no SMS sender, so "sms" cannot be allowed; remove it, or set sms.senderId or sms.originationNumber in the CDK app settings and deploy again',
    });
  }
  if (policy.authenticatorEnrollment === 'required' && !allowed.includes('totp')) {
    problems.push({ path: 'authenticatorEnrollment', message: '"required" needs "totp" in methods.allowed; allow totp or set authenticatorEnrollment to "optional"' });
  }
  if (policy.enforcement.mode === 'roles' && policy.enforcement.roles.length === 0) {
    problems.push({ path: 'enforcement.roles', message: 'name at least one role when enforcement.mode is "roles" (or choose mode "all" or "optional")' });
  }
  problems.push(...webauthnProblems(policy), ...roleRuleProblems(policy));
  return problems;
}

/** A relying party that browsers will accept: an rpId, and origins on it (WebAuthn §5.1.3). */
function webauthnProblems(policy: Policy): PolicyProblem[] {
  const { rpId, origins } = policy.webauthn;
  const problems: PolicyProblem[] = [];
  if (rpId !== null && !isRpId(rpId)) {
    problems.push({ path: 'webauthn.rpId', message: `"${rpId}" is not a domain; give the client app's domain in lower case without scheme or port, like example.com (localhost for development)` });
  }
  if (rpId !== null && isRpId(rpId) && isPublicSuffix(rpId)) {
    problems.push({ path: 'webauthn.rpId', message: `"${rpId}" is a public suffix (anyone can register a domain under it); give the client app's own domain, like example.${rpId}` });
  }
  if (rpId !== null && isRpId(rpId)) {
    origins.forEach((origin, i) => {
      const problem = originProblem(origin, rpId);
      if (problem) problems.push({ path: `webauthn.origins.${i}`, message: problem });
    });
  }
  if (policy.methods.allowed.includes('webauthn')) {
    if (rpId === null) problems.push({ path: 'webauthn.rpId', message: '"webauthn" in methods.allowed needs webauthn.rpId, the client app\'s domain (localhost for development)' });
    else if (origins.length === 0) {
      problems.push({ path: 'webauthn.origins', message: `"webauthn" in methods.allowed needs at least one origin whose host is "${rpId}" or under it, like https://app.${rpId}` });
    }
  }
  return problems;
}

/** `com`, `co.uk`, `github.io`: the Public Suffix List's entries (private ones too), which no relying party may take. */
function isPublicSuffix(domain: string): boolean {
  const parsed = parseDomain(domain, { allowPrivateDomains: true });
  // a name the list does not know (localhost, an intranet host) is not refused for it
  return (parsed.isIcann === true || parsed.isPrivate === true) && parsed.publicSuffix === domain;
}

function roleRuleProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const { allowed, roleRules } = policy.methods;
  roleRules.forEach((rule, i) => {
    const outside = rule.allowed.filter((m) => !allowed.includes(m));
    if (outside.length > 0) {
      problems.push({ path: `methods.roleRules.${i}.allowed`, message: `${outside.map((m) => `"${m}"`).join(', ')} not in methods.allowed (${allowed.join(', ')}); allow it there or remove it from the rule for role "${rule.role}"` });
    }
  });
  return problems;
}

export async function getPolicy(deps: Pick<CoreDeps, 'tenant'>, tenantId: string): Promise<Policy> {
  return (await deps.tenant(tenantId)).policy;
}

const enforcing = (p: Policy) => p.enabled && p.enforcement.mode !== 'optional';

/**
 * When the new policy started requiring two-factor, for everyone and per role: kept from the
 * old policy for what it required already, now for what it newly requires.
 */
export function nextEnforcementSince(before: Policy, since: EnforcementSince | undefined, after: Policy, nowMs: number): EnforcementSince {
  if (!enforcing(after)) return {};
  const was = enforcing(before) ? before.enforcement : undefined;
  // a policy that enforced before these timestamps were kept: its users' periods ran from when they joined
  const keptAll = since?.all ?? 0;
  if (after.enforcement.mode === 'all') return { all: was?.mode === 'all' ? keptAll : nowMs };
  const roles: Record<string, number> = {};
  for (const role of after.enforcement.roles) {
    if (was?.mode === 'all') roles[role] = keptAll;
    else if (was?.mode === 'roles' && was.roles.includes(role)) roles[role] = since?.roles?.[role] ?? 0;
    else roles[role] = nowMs;
  }
  return { roles };
}

const changedFields = (before: Policy, after: Policy) =>
  (Object.keys(after) as (keyof Policy)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Each setting a change moved, by its dotted path (a list is one setting), with its value before
 * and after as JSON text: `before.enforcement.mode: "optional"`, `after.enforcement.mode: "everyone"`.
 * A policy holds no secret, so the audit trail may show both.
 */
export function policyChangeDetail(before: unknown, after: unknown, path = ''): Record<string, string> {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return Object.assign({}, ...keys.map((k) => policyChangeDetail(before[k], after[k], path ? `${path}.${k}` : k)));
  }
  const [was, now] = [JSON.stringify(before ?? null), JSON.stringify(after ?? null)];
  return was === now ? {} : { [`before.${path}`]: was, [`after.${path}`]: now };
}

type PolicyDeps = Pick<CoreDeps, 'sms' | 'tenants' | 'forgetTenant' | 'grace'> & EmitDeps;

/**
 * PUT: the whole policy replaces the old one; each absent field took its default in the schema,
 * and an absent `totp.issuer` takes the tenant's name (what a new tenant starts with), so a PUT
 * that does not mention the issuer does not change what users see in their authenticator apps.
 */
export async function putPolicy(deps: PolicyDeps, tenantId: string, replacement: PolicyReplacement): Promise<Policy> {
  // the stored record, not the container's cached copy: the enforcement timestamps build on it
  const current = (await deps.tenants.getTenant(tenantId)) ?? fail('unauthorized');
  return replacePolicy(deps, current, { ...replacement, totp: { ...replacement.totp, issuer: replacement.totp.issuer ?? current.name } });
}

/** Saves a policy whose fields are valid (parsed by the schema) once the rules across fields hold. */
export async function replacePolicy(deps: PolicyDeps, current: TenantRecord, policy: Policy): Promise<Policy> {
  const problems = policyProblems(policy, { sms: deps.sms !== undefined });
  if (problems.length > 0) fail('invalid_policy', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { details: problems });
  const now = deps.clock.nowMs();
  const { tenantId } = current;
  const since = nextEnforcementSince(current.policy, current.enforcementSince, policy, now);
  await deps.tenants.putPolicy(tenantId, policy, since);
  deps.forgetTenant(tenantId);
  const changed = changedFields(current.policy, policy);
  // deadlines move with the enforcement: the scheduled job summarises every user of the tenant again
  // (role rules decide who counts as enrolled, so a change of methods moves the overview too)
  if (changed.includes('enabled') || changed.includes('enforcement') || changed.includes('methods')) await deps.grace.requestBackfill(tenantId, now);
  await emit(deps, [{ type: 'policy.updated', tenantId, userId: null, actor: 'admin', detail: { changed: changed.join(','), ...policyChangeDetail(current.policy, policy) } }]);
  return policy;
}
