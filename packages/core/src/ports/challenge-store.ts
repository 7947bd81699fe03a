import type { ChallengeRecord, LoginFailures } from '../records';

export interface CodeUpdate {
  method: ChallengeRecord['method'];
  factorId?: string;
  codeHash?: string;
  sentAtMs: number;
  expiresAtMs: number;
  /** Counts as a resend (a message sent) */
  countsAsResend: boolean;
  resendLimit: number | null;
  cooldownSeconds: number;
}

/**
 * What a login writes when it succeeds, as one conditional write of the user's login state:
 * the challenge becomes verified, a TOTP step is used up (or a passkey's counter moved on) and
 * the failure count is reset — and only if the challenge is still pending, unexpired and (for a
 * sent code) still that code, the step is later than the last one used, the counter is still the
 * one the signature was checked against, and the user is not locked at that moment.
 */
export interface ChallengeCompletion {
  challengeId: string;
  verifiedAtMs: number;
  method: ChallengeRecord['method'];
  expectedCodeHash?: string;
  totpStep?: { factorId: string; step: number };
  /** The limit the challenge carries (null: no lockout). */
  maxInvalidAttempts: number | null;
  /** The failure window read (LoginFailures.gen; 0 when none). */
  failuresGen: number;
  /**
   * A passkey's signature counter, moved from `expected` (the counter the signature was checked
   * against, as read) to `next`: of two signatures accepted at once, one moves it, and it only
   * moves forward (or stays 0: WebAuthn §6.1.1).
   */
  webauthnCounter?: { factorId: string; expected: number; next: number };
}

export type CompletionOutcome = 'verified' | 'already_verified' | 'expired' | 'not_found' | 'code_replaced' | 'step_used' | 'counter_moved' | 'locked';

/** Changes to a user's login state, inside a user change. */
export interface LoginPatch {
  /** The whole login state goes: challenges, used steps, failures (two-factor off, erasure). */
  delete?: boolean;
  setSteps?: Record<string, number>;
  /** A passkey's signature counter as its registration left it (the login's write moves it on). */
  setSignCounts?: Record<string, number>;
  /** A removed factor's last step, counter and use go. */
  removeSteps?: string[];
  clearFailures?: boolean;
  complete?: ChallengeCompletion;
}

/**
 * Challenges are kept in the user's login state (a challenge id leads to its user), beside
 * the failure count and the last used TOTP steps, so that a login is decided by one read of the
 * user and one conditional write of that small state.
 */
export interface ChallengeStore {
  /**
   * Adds a challenge, if the user's challenges are still at `revision` (as read: see
   * UserAggregate.challengeRevision), and moves the revision on; false when another challenge
   * was added first. `drop` names ended challenges to remove with it (the state stays small).
   */
  create(challenge: ChallengeRecord, drop: string[], revision: number): Promise<boolean>;
  /** The login's single conditional write (see ChallengeCompletion); says why not when it did not hold. */
  complete(tenantId: string, userId: string, completion: ChallengeCompletion): Promise<CompletionOutcome>;
  /**
   * Counts a failed attempt in one write that parallel failures do not collide on (each is
   * counted, in the order the store takes them), while the count stays under `max`. The write
   * that opens a window also marks the user for the relay (pendingLocks), so that a lock reached in that
   * window always gets its `user.locked` (see pendingLocks). Not counted: the failures as they
   * are now (the user is locked).
   */
  countFailure(
    tenantId: string,
    userId: string,
    change: { read: LoginFailures | undefined; next: LoginFailures; nowMs: number; max: number },
  ): Promise<{ counted: true; failures: LoginFailures } | { counted: false; current: LoginFailures | undefined }>;
  /** Login items marked by the opening of a failure window, not yet settled: each with its failures. */
  pendingLocks(limit: number): Promise<{ tenantId: string; userId: string; failures: LoginFailures }[]>;
  /** The window's lock event is recorded (or the window ended without a lock): the mark goes, if it is still that window's. */
  settleLock(tenantId: string, userId: string, gen: number): Promise<void>;
  /**
   * Puts a new sent code (or a switch of method) on a pending challenge: the old code stops
   * working. Refused past the resend limit or within the cooldown after the last send.
   */
  replaceCode(tenantId: string, userId: string, challengeId: string, update: CodeUpdate): Promise<'replaced' | 'limit' | 'cooldown' | 'not_pending'>;
  /** Puts back what replaceCode replaced, if nothing else changed it since (a failed delivery). */
  restoreCode(tenantId: string, userId: string, previous: ChallengeRecord, replacedHash: string | undefined): Promise<void>;
  /** Removes a pending challenge whose first code could not be delivered. */
  deletePending(tenantId: string, userId: string, challengeId: string): Promise<void>;
}
