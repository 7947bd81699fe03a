import type { UserStatus } from '@twofold/contract/schemas';
import type { UserAggregate } from './records';

/** `enrolled`: an active factor; `pending`: a factor started, none active; else `not_started`. */
export function statusOf(user: UserAggregate): UserStatus {
  if (user.factors.some((f) => f.status === 'active')) return 'enrolled';
  return user.factors.length > 0 ? 'pending' : 'not_started';
}
