/**
 * PATCH /v1/policy: a JSON merge patch (RFC 7396) applied to the stored policy, the result
 * checked exactly as a PUT's body is (the schema's field rules, then the rules across fields),
 * so that a patch can never save what a PUT would refuse.
 */
import { Policy, type PolicyPatch } from '@twofold/contract/schemas';
import { fail } from '../errors';
import { replacePolicy } from './policy';

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * RFC 7396 §2, MergePatch(Target, Patch): an object patch merges member by member, `null`
 * removes a member, anything else (arrays included) replaces the target whole.
 */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}

/**
 * Changes only the fields the patch names. A removed field (`null`) takes its default, as it
 * would in a PUT without it. (So RFC 7396 cannot set a field to null: `maxInvalidAttempts` or
 * `resendLimit` without a limit, or `graceEndsAt` back to none, which is its default anyway, are
 * set with a PUT.)
 */
export async function patchPolicy(deps: Parameters<typeof replacePolicy>[0], tenantId: string, patch: PolicyPatch): Promise<Policy> {
  const current = (await deps.tenants.getTenant(tenantId)) ?? fail('unauthorized');
  const merged = mergePatch(current.policy, patch);
  const parsed = Policy.safeParse(merged);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    fail('invalid_policy', details.map((d) => `${d.path}: ${d.message}`).join('; '), { details: details.map((d) => ({ ...d, path: `body.${d.path}` })) });
  }
  return replacePolicy(deps, current, parsed.data!);
}
