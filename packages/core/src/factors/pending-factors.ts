/** What enrolments of every kind share: adding the pending factor, and counting wrong answers to it. */
import type { ConfirmFactorBody } from '@twofold/contract/schemas';
import type { CoreDeps } from '../deps';
import { fail } from '../errors';
import type { FactorRecord } from '../records';
import { changeUser, type ChangeDeps } from '../users/user-change';

/** Wrong codes a pending factor accepts before the enrollment must start again. */
export const MAX_ENROLLMENT_ATTEMPTS = 5;

/** A pending factor added (and a new user's profile with it): the overview counts the user as pending. */
export const addPending = (deps: ChangeDeps, tenantId: string, userId: string, factor: FactorRecord, nowMs: number) =>
  changeUser(deps, tenantId, userId, (user) => ({
    change: { ...(user.profile ? {} : { profile: { roles: [], sso: false, createdAtMs: nowMs, updatedAtMs: nowMs } }), putFactors: [factor] },
    result: undefined,
  }));

/** The code a factor confirmed with a code must come with. */
export function confirmationCode(answer: ConfirmFactorBody, factor: FactorRecord): string {
  return answer.code ?? fail('invalid_code', 'Confirm this factor with code.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - factor.failedAttempts });
}

export async function countEnrollmentFailure(deps: Pick<CoreDeps, 'users'>, tenantId: string, userId: string, factorId: string): Promise<never> {
  const failures = await deps.users.countFactorFailure(tenantId, userId, factorId, MAX_ENROLLMENT_ATTEMPTS);
  if (failures === false) return fail('enrollment_expired');
  return fail('invalid_code', 'The code is not valid.', { attemptsRemaining: MAX_ENROLLMENT_ATTEMPTS - failures });
}
