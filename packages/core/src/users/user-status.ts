import type { Policy, UserStatus } from '@twofold/contract/schemas';
import { permittedActiveFactors } from '../factors/method-rules';
import type { UserAggregate } from '../records';

/**
 * `enrolled`: an active factor (one the policy's role rules let the user log in with);
 * `pending`: a factor started, none such active; else `not_started`.
 */
export function statusOf(user: UserAggregate, policy?: Policy): UserStatus {
  if (permittedActiveFactors(policy, user).length > 0) return 'enrolled';
  return user.factors.length > 0 ? 'pending' : 'not_started';
}
