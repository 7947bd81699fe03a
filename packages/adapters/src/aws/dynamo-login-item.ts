/**
 * The user's login item (`sk = LOGIN` in the user's partition): their challenges (`ch:<id>`,
 * each a map), the last used TOTP step and time per factor (`step:<factorId>`,
 * `used:<factorId>`) and the failure count (`failures`, `failuresMax`, `windowEndsAtMs`). It
 * holds no secret and stays under 1 KB, so that a login's one conditional write costs one
 * write unit. The expressions are built here once, for the login's own UpdateItem and for the
 * same update inside a user change's transaction.
 */
import type { ChallengeCompletion, CompletionOutcome, LoginPatch } from '@twofold/core/ports';
import type { ChallengeRecord, LoginFailures } from '@twofold/core/records';

export const attr = {
  challenge: (challengeId: string) => `ch:${challengeId}`,
  step: (factorId: string) => `step:${factorId}`,
  used: (factorId: string) => `used:${factorId}`,
};

/** Placeholders for one expression: every name and value gets its own. */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];
  readonly adds: string[] = [];
  readonly conditions: string[] = [];
  private n = 0;

  name(...path: string[]): string {
    return path
      .map((part) => {
        const key = `#n${this.n++}`;
        this.names[key] = part;
        return key;
      })
      .join('.');
  }

  value(v: unknown): string {
    const key = `:v${this.n++}`;
    this.values[key] = v;
    return key;
  }

  /** The parts of an UpdateItem (or a transaction's Update): undefined parts left out. */
  update(): { UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    const clauses = [
      this.sets.length ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length ? `REMOVE ${this.removes.join(', ')}` : '',
      this.adds.length ? `ADD ${this.adds.join(', ')}` : '',
    ].filter(Boolean);
    return {
      UpdateExpression: clauses.join(' '),
      ...(this.conditions.length ? { ConditionExpression: this.conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** What of a challenge is stored in the login item (the key already says tenant and user). */
export function challengeValue(challenge: ChallengeRecord): Record<string, unknown> {
  const { tenantId: _t, userId: _u, challengeId: _c, ...stored } = challenge;
  return stored;
}

export function challengeOf(tenantId: string, userId: string, name: string, value: Record<string, unknown>): ChallengeRecord {
  return { ...(value as Omit<ChallengeRecord, 'tenantId' | 'userId' | 'challengeId'>), tenantId, userId, challengeId: name.slice('ch:'.length) };
}

/** The login state of a user, from the item as read. */
export function loginStateOf(tenantId: string, userId: string, item: Record<string, unknown>) {
  const challenges: ChallengeRecord[] = [];
  const steps: Record<string, number> = {};
  const used: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('ch:')) challenges.push(challengeOf(tenantId, userId, name, value as Record<string, unknown>));
    else if (name.startsWith('step:')) steps[name.slice('step:'.length)] = value as number;
    else if (name.startsWith('used:')) used[name.slice('used:'.length)] = value as number;
  }
  const failures: LoginFailures | undefined =
    typeof item.failures === 'number'
      ? { failures: item.failures, maxAttempts: item.failuresMax as number, windowEndsAtMs: item.windowEndsAtMs as number }
      : undefined;
  return { challenges, steps, used, failures };
}

/** A login patch as update clauses (conditions included, for a completion). */
export function applyLoginPatch(e: Expression, patch: LoginPatch, nowMs: number): void {
  for (const [factorId, step] of Object.entries(patch.setSteps ?? {})) e.sets.push(`${e.name(attr.step(factorId))} = ${e.value(step)}`);
  for (const factorId of patch.removeSteps ?? []) e.removes.push(e.name(attr.step(factorId)), e.name(attr.used(factorId)));
  if (patch.clearFailures || patch.complete) e.removes.push(e.name('failures'), e.name('failuresMax'), e.name('windowEndsAtMs'));
  if (patch.complete) completion(e, patch.complete, nowMs);
}

function completion(e: Expression, c: ChallengeCompletion, nowMs: number): void {
  const ch = attr.challenge(c.challengeId);
  const now = e.value(c.verifiedAtMs);
  e.sets.push(`${e.name(ch, 'status')} = ${e.value('verified')}`, `${e.name(ch, 'verifiedAtMs')} = ${now}`, `${e.name(ch, 'verifiedMethod')} = ${e.value(c.method)}`);
  e.conditions.push(`${e.name(ch, 'status')} = ${e.value('pending')}`, `${e.name(ch, 'expiresAtMs')} > ${now}`);
  if (c.expectedCodeHash) e.conditions.push(`${e.name(ch, 'codeHash')} = ${e.value(c.expectedCodeHash)}`);
  if (c.totpStep) {
    const step = e.name(attr.step(c.totpStep.factorId));
    const value = e.value(c.totpStep.step);
    e.sets.push(`${step} = ${value}`, `${e.name(attr.used(c.totpStep.factorId))} = ${now}`);
    // a step is used once per factor: a code for it, or an earlier step, never again
    e.conditions.push(`(attribute_not_exists(${step}) OR ${step} < ${value})`);
  }
  if (c.maxInvalidAttempts !== null) {
    // not locked at this moment: whatever was read before, the write itself decides
    const failures = e.name('failures');
    e.conditions.push(`(attribute_not_exists(${failures}) OR ${failures} < ${e.value(c.maxInvalidAttempts)} OR ${e.name('windowEndsAtMs')} <= ${e.value(nowMs)})`);
  }
}

/** Why a completion's condition did not hold, from the item as it was (ReturnValuesOnConditionCheckFailure). */
export function refusalOf(c: ChallengeCompletion, item: Record<string, unknown> | undefined, nowMs: number): CompletionOutcome {
  const stored = item?.[attr.challenge(c.challengeId)] as Record<string, unknown> | undefined;
  if (!stored) return 'not_found';
  if (stored.status === 'verified') return 'already_verified';
  if ((stored.expiresAtMs as number) <= c.verifiedAtMs) return 'expired';
  if (c.expectedCodeHash && stored.codeHash !== c.expectedCodeHash) return 'code_replaced';
  if (c.totpStep) {
    const last = item?.[attr.step(c.totpStep.factorId)];
    if (typeof last === 'number' && last >= c.totpStep.step) return 'step_used';
  }
  const failures = item?.failures;
  if (c.maxInvalidAttempts !== null && typeof failures === 'number' && failures >= c.maxInvalidAttempts && (item?.windowEndsAtMs as number) > nowMs) return 'locked';
  return 'not_found';
}

/** The failure count moved from `expected` (as read) to `next`, only if it is still `expected`. */
export function failureUpdate(e: Expression, expected: LoginFailures | undefined, next: LoginFailures): void {
  const failures = e.name('failures');
  const windowEnds = e.name('windowEndsAtMs');
  e.sets.push(`${failures} = ${e.value(next.failures)}`, `${e.name('failuresMax')} = ${e.value(next.maxAttempts)}`, `${windowEnds} = ${e.value(next.windowEndsAtMs)}`);
  e.conditions.push(expected ? `${failures} = ${e.value(expected.failures)} AND ${windowEnds} = ${e.value(expected.windowEndsAtMs)}` : `attribute_not_exists(${failures})`);
}
