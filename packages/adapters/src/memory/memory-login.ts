/**
 * The login state's rules, once for the memory challenge store and for a user change's login
 * part: the same conditions as the Dynamo adapter's expressions (dynamo-login-item.ts), checked
 * on the state as it is, then applied, with nothing awaited in between.
 */
import type { ChallengeCompletion, CompletionOutcome, LoginPatch } from '@twofold/core/ports';
import type { LoginFailures } from '@twofold/core/records';
import type { MemoryLogin } from './memory-tables';

/** The failures as a user's read shows them (as loginStateOf reads the login item). */
export function failuresOf(login: MemoryLogin | undefined): LoginFailures | undefined {
  if (!login) return undefined;
  const gen = login.gen ?? 0;
  if (login.windowEndsAtMs !== undefined) {
    return {
      failures: login.fails.get(gen) ?? 0,
      maxAttempts: login.failuresMax ?? 0,
      windowEndsAtMs: login.windowEndsAtMs,
      gen,
      ...(login.lastFailureAtMs !== undefined ? { lastAtMs: login.lastFailureAtMs } : {}),
    };
  }
  // without a live window nothing counts, but the window number stays: the next opens the one after it
  return login.gen !== undefined ? { failures: 0, maxAttempts: login.failuresMax ?? 0, windowEndsAtMs: 0, gen } : undefined;
}

/** Why the completion may not be written now (undefined: it may), in the order refusalOf explains it. */
export function completionRefusal(login: MemoryLogin | undefined, c: ChallengeCompletion): CompletionOutcome | undefined {
  const challenge = login?.challenges.get(c.challengeId);
  if (!login || !challenge) return 'not_found';
  if (challenge.status === 'verified') return 'already_verified';
  if (challenge.expiresAtMs <= c.verifiedAtMs) return 'expired';
  if (c.expectedCodeHash && challenge.codeHash !== c.expectedCodeHash) return 'code_replaced';
  if (c.totpStep) {
    const last = login.steps.get(c.totpStep.factorId);
    if (last !== undefined && last >= c.totpStep.step) return 'step_used';
  }
  if (c.webauthnCounter) {
    const { factorId, expected, next } = c.webauthnCounter;
    // the counter the signature was checked against, and only ever forward, or staying 0 (WebAuthn §6.1.1)
    const count = login.signs.get(factorId) ?? 0;
    if (count !== expected || (expected !== 0 && next <= expected)) return 'counter_moved';
  }
  if (c.maxInvalidAttempts !== null) {
    const max = c.maxInvalidAttempts;
    // not locked at this moment: no live window, or fewer than the limit counted in it (the window read, or the next)
    const under = (g: number) => {
      const fails = login.fails.get(g);
      return login.gen === g && (fails === undefined || fails < max);
    };
    const open = login.windowEndsAtMs !== undefined && login.windowEndsAtMs > c.verifiedAtMs;
    if (open && !under(c.failuresGen) && !under(c.failuresGen + 1)) {
      const failures = failuresOf(login);
      return failures && failures.failures >= max ? 'locked' : 'not_found';
    }
  }
  return undefined;
}

/** Applies a login patch whose completion (if any) completionRefusal allowed. */
export function applyLoginPatch(login: MemoryLogin, patch: LoginPatch): void {
  for (const [factorId, step] of Object.entries(patch.setSteps ?? {})) login.steps.set(factorId, step);
  for (const [factorId, count] of Object.entries(patch.setSignCounts ?? {})) login.signs.set(factorId, count);
  for (const factorId of patch.removeSteps ?? []) {
    login.steps.delete(factorId);
    login.used.delete(factorId);
    login.signs.delete(factorId);
  }
  // without a live window nothing counts: the next failure opens a new one
  if (patch.clearFailures || patch.complete) delete login.windowEndsAtMs;
  const c = patch.complete;
  if (!c) return;
  const challenge = login.challenges.get(c.challengeId);
  if (challenge) login.challenges.set(c.challengeId, { ...challenge, status: 'verified', verifiedAtMs: c.verifiedAtMs, verifiedMethod: c.method });
  if (c.totpStep) {
    login.steps.set(c.totpStep.factorId, c.totpStep.step);
    login.used.set(c.totpStep.factorId, c.verifiedAtMs);
  }
  if (c.webauthnCounter) {
    login.signs.set(c.webauthnCounter.factorId, c.webauthnCounter.next);
    login.used.set(c.webauthnCounter.factorId, c.verifiedAtMs);
  }
  if (c.maxInvalidAttempts !== null) {
    login.fails.delete(c.failuresGen);
    login.fails.delete(c.failuresGen + 1);
  }
}

/** Whether a patch writes anything (the Dynamo adapter leaves the login item alone otherwise). */
export function writesLogin(patch: LoginPatch): boolean {
  return Boolean(
    patch.complete ||
      patch.clearFailures ||
      Object.keys(patch.setSteps ?? {}).length ||
      Object.keys(patch.setSignCounts ?? {}).length ||
      (patch.removeSteps ?? []).length,
  );
}
