import type { ChallengeCompletion, ChallengeStore, CodeUpdate } from '@twofold/core/ports';
import type { ChallengeRecord, LoginFailures } from '@twofold/core/records';
import { applyLoginPatch, completionRefusal, failuresOf } from './memory-login';
import { emptyLogin, type MemoryTables } from './memory-tables';

/** Challenges in the user's login state, each change checked and made in one step (see memory-tables.ts). */
export class MemoryChallengeStore implements ChallengeStore {
  constructor(private readonly tables: MemoryTables) {}

  async create(challenge: ChallengeRecord, drop: string[], revision: number): Promise<boolean> {
    const login = this.tables.user(challenge.tenantId, challenge.userId)?.login;
    // only at the revision read (0: none yet), and never over a challenge of that id
    if (login?.challenges.has(challenge.challengeId) || (login?.challengeRevision ?? 0) !== revision) return false;
    const user = this.tables.userForWrite(challenge.tenantId, challenge.userId);
    const state = (user.login ??= emptyLogin());
    for (const id of drop) state.challenges.delete(id);
    state.challenges.set(challenge.challengeId, structuredClone(challenge));
    state.challengeRevision = revision + 1;
    return true;
  }

  async complete(tenantId: string, userId: string, completion: ChallengeCompletion) {
    const login = this.tables.user(tenantId, userId)?.login;
    const refused = completionRefusal(login, completion);
    if (refused || !login) return refused ?? 'not_found';
    applyLoginPatch(login, { complete: completion });
    return 'verified' as const;
  }

  /** One more failure; see failureCount (dynamo-login-item.ts) for the windows and their generations. */
  async countFailure(tenantId: string, userId: string, change: { read: LoginFailures | undefined; next: LoginFailures; nowMs: number; max: number }) {
    const { read, next, nowMs, max } = change;
    const current = this.tables.user(tenantId, userId)?.login;
    const live = read !== undefined && read.windowEndsAtMs > nowMs;
    const g = read?.gen ?? 0;
    const under = (gen: number) => {
      const fails = current?.fails.get(gen);
      return fails === undefined || fails < max;
    };
    const windowLive = current?.windowEndsAtMs !== undefined && current.windowEndsAtMs > nowMs;
    const allowed = live
      ? current?.gen === g && windowLive && under(g)
      : ((current?.gen ?? g) === g && !windowLive) || (current?.gen === g + 1 && windowLive && under(g + 1));
    if (!allowed) return { counted: false as const, current: failuresOf(current) };
    const login = (this.tables.userForWrite(tenantId, userId).login ??= emptyLogin());
    login.failuresMax = next.maxAttempts;
    login.windowEndsAtMs = next.windowEndsAtMs;
    login.lastFailureAtMs = nowMs;
    const counted = live ? g : g + 1;
    if (!live) {
      // a new window counts under a new name, and marks the user for the lock relay
      login.gen = counted;
      login.fails.delete(g);
      login.lockWindowOpenedAtMs = nowMs;
    }
    login.fails.set(counted, (login.fails.get(counted) ?? 0) + 1);
    return { counted: true as const, failures: failuresOf(login) ?? next };
  }

  async pendingLocks(limit: number) {
    const marked: { tenantId: string; userId: string; failures: LoginFailures }[] = [];
    for (const [key, user] of this.tables.users) {
      if (marked.length >= limit) break;
      const failures = failuresOf(user.login);
      if (user.login?.lockWindowOpenedAtMs === undefined || !failures) continue;
      const [tenantId = '', ...rest] = key.split('#');
      marked.push({ tenantId, userId: rest.join('#'), failures });
    }
    return marked;
  }

  async settleLock(tenantId: string, userId: string, gen: number) {
    const login = this.tables.user(tenantId, userId)?.login;
    if (login?.gen === gen) delete login.lockWindowOpenedAtMs;
  }

  async replaceCode(tenantId: string, userId: string, challengeId: string, update: CodeUpdate) {
    const login = this.tables.user(tenantId, userId)?.login;
    const challenge = login?.challenges.get(challengeId);
    if (!login || !challenge || challenge.status !== 'pending' || challenge.expiresAtMs <= update.sentAtMs) return 'not_pending' as const;
    if (update.countsAsResend) {
      if (update.resendLimit !== null && challenge.resends >= update.resendLimit) return 'limit' as const;
      if (challenge.codeSentAtMs !== undefined && challenge.codeSentAtMs > update.sentAtMs - update.cooldownSeconds * 1000) return 'cooldown' as const;
    }
    const { codeHash: _h, factorId: _f, ...kept } = challenge;
    login.challenges.set(challengeId, {
      ...kept,
      method: update.method,
      expiresAtMs: update.expiresAtMs,
      ...(update.countsAsResend ? { resends: challenge.resends + 1, codeSentAtMs: update.sentAtMs } : {}),
      ...(update.codeHash ? { codeHash: update.codeHash } : {}),
      ...(update.factorId ? { factorId: update.factorId } : {}),
    });
    return 'replaced' as const;
  }

  async restoreCode(tenantId: string, userId: string, previous: ChallengeRecord, replacedHash: string | undefined) {
    const login = this.tables.user(tenantId, userId)?.login;
    const challenge = login?.challenges.get(previous.challengeId);
    if (!login || !challenge || challenge.status !== 'pending' || (replacedHash && challenge.codeHash !== replacedHash)) return;
    const { codeHash: _h, factorId: _f, codeSentAtMs: _s, ...kept } = challenge;
    login.challenges.set(previous.challengeId, {
      ...kept,
      method: previous.method,
      expiresAtMs: previous.expiresAtMs,
      resends: previous.resends,
      ...(previous.codeHash !== undefined ? { codeHash: previous.codeHash } : {}),
      ...(previous.factorId !== undefined ? { factorId: previous.factorId } : {}),
      ...(previous.codeSentAtMs !== undefined ? { codeSentAtMs: previous.codeSentAtMs } : {}),
    });
  }

  async deletePending(tenantId: string, userId: string, challengeId: string) {
    const login = this.tables.user(tenantId, userId)?.login;
    if (login?.challenges.get(challengeId)?.status === 'pending') login.challenges.delete(challengeId);
  }
}
