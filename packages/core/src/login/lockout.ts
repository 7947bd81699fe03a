/**
 * Failed login attempts, counted per user across all of their challenges. After
 * `maxInvalidAttempts` failures within `lockoutSeconds` of each other the user is locked until
 * `lockoutSeconds` after the last one; then the count starts again by itself.
 */
import type { LoginFailures } from '../records';

export interface LockState {
  locked: boolean;
  lockedUntilMs: number | null;
  /** Failures that still count now. */
  failures: number;
}

/** `maxNow`: the limit in force now, when the policy lowered it below the one the failures were counted under. */
export function lockStateOf(failures: LoginFailures | undefined, nowMs: number, maxNow: number | null = null): LockState {
  if (!failures || failures.windowEndsAtMs <= nowMs) return { locked: false, lockedUntilMs: null, failures: 0 };
  const locked = failures.failures >= (maxNow === null ? failures.maxAttempts : Math.min(failures.maxAttempts, maxNow));
  return { locked, lockedUntilMs: locked ? failures.windowEndsAtMs : null, failures: failures.failures };
}

export function attemptsRemaining(state: LockState, maxAttempts: number | null): number | null {
  return maxAttempts === null ? null : Math.max(0, maxAttempts - state.failures);
}

export const retryAfterSeconds = (lockedUntilMs: number, nowMs: number) => Math.max(1, Math.ceil((lockedUntilMs - nowMs) / 1000));
