/**
 * The user's login item (`sk = LOGIN` in the user's partition): their challenges (`ch:<id>`,
 * each a map), the last used TOTP step and time per factor (`step:<factorId>`,
 * `used:<factorId>`), a passkey's signature counter (`sign:<factorId>`) and the failure count of the current window (`gen`, `fails:<gen>`,
 * `failuresMax`, `windowEndsAtMs`; see failureCount). It
 * holds no secret and stays under 1 KB, so that a login's one conditional write costs one
 * write unit. The expressions are built here once, for the login's own UpdateItem and for the
 * same update inside a user change's transaction.
 */
import type { ChallengeCompletion, CompletionOutcome, LoginPatch } from '@twofold/core/ports';
import type { ChallengeRecord, LoginFailures } from '@twofold/core/records';

/** The key of the sparse index of login items with a failure window whose lock event is not settled. */
export const LOCK_WINDOW_PENDING = 'PENDING';

export const attr = {
  challenge: (challengeId: string) => `ch:${challengeId}`,
  step: (factorId: string) => `step:${factorId}`,
  used: (factorId: string) => `used:${factorId}`,
  /** A passkey's signature counter: moved by the login's one write, like a TOTP step. */
  sign: (factorId: string) => `sign:${factorId}`,
  /** The failures of one window (a generation: a new window counts under a new name, so nothing has to be reset first). */
  fails: (gen: number) => `fails:${gen}`,
  /** Moved on by every challenge added (ChallengeStore.create). */
  challengeRevision: 'chRev',
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
  // one placeholder per attribute name, and per string, number or boolean value: a smaller request
  // to sign, send and parse (a login's write names its challenge five times)
  private readonly nameKeys = new Map<string, string>();
  private readonly valueKeys = new Map<string, string>();

  name(...path: string[]): string {
    return path
      .map((part) => {
        let key = this.nameKeys.get(part);
        if (!key) {
          key = `#n${this.n++}`;
          this.names[key] = part;
          this.nameKeys.set(part, key);
        }
        return key;
      })
      .join('.');
  }

  value(v: unknown): string {
    const primitive = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? `${typeof v}:${String(v)}` : undefined;
    const known = primitive === undefined ? undefined : this.valueKeys.get(primitive);
    if (known) return known;
    const key = `:v${this.n++}`;
    this.values[key] = v;
    if (primitive !== undefined) this.valueKeys.set(primitive, key);
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
  const signs: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('ch:')) challenges.push(challengeOf(tenantId, userId, name, value as Record<string, unknown>));
    else if (name.startsWith('step:')) steps[name.slice('step:'.length)] = value as number;
    else if (name.startsWith('used:')) used[name.slice('used:'.length)] = value as number;
    else if (name.startsWith('sign:')) signs[name.slice('sign:'.length)] = value as number;
  }
  const gen = typeof item.gen === 'number' ? item.gen : 0;
  const count = item[attr.fails(gen)];
  // without a live window nothing counts, but the window number stays: the next opens the one after it
  const failures: LoginFailures | undefined =
    typeof item.windowEndsAtMs === 'number'
      ? { failures: typeof count === 'number' ? count : 0, maxAttempts: item.failuresMax as number, windowEndsAtMs: item.windowEndsAtMs, gen, ...(typeof item.lastFailureAtMs === 'number' ? { lastAtMs: item.lastFailureAtMs } : {}) }
      : typeof item.gen === 'number'
        ? { failures: 0, maxAttempts: (item.failuresMax as number | undefined) ?? 0, windowEndsAtMs: 0, gen }
        : undefined;
  const challengeRevision = typeof item[attr.challengeRevision] === 'number' ? (item[attr.challengeRevision] as number) : 0;
  return { challenges, steps, used, signs, failures, challengeRevision };
}

/** A login patch as update clauses (conditions included, for a completion). */
export function applyLoginPatch(e: Expression, patch: LoginPatch, nowMs: number): void {
  for (const [factorId, step] of Object.entries(patch.setSteps ?? {})) e.sets.push(`${e.name(attr.step(factorId))} = ${e.value(step)}`);
  for (const [factorId, count] of Object.entries(patch.setSignCounts ?? {})) e.sets.push(`${e.name(attr.sign(factorId))} = ${e.value(count)}`);
  for (const factorId of patch.removeSteps ?? []) e.removes.push(e.name(attr.step(factorId)), e.name(attr.used(factorId)), e.name(attr.sign(factorId)));
  // without a live window nothing counts: the next failure opens a new one
  if (patch.clearFailures || patch.complete) e.removes.push(e.name('windowEndsAtMs'));
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
  if (c.webauthnCounter) {
    const { factorId, expected, next } = c.webauthnCounter;
    const sign = e.name(attr.sign(factorId));
    e.sets.push(`${sign} = ${e.value(next)}`, `${e.name(attr.used(factorId))} = ${now}`);
    // the counter the signature was checked against (of two signatures accepted at once, one
    // moves it), and only ever forward, or staying 0 (WebAuthn §6.1.1), whatever the caller checked
    e.conditions.push(
      expected === 0 ? `(attribute_not_exists(${sign}) OR ${sign} = ${e.value(0)})` : `${sign} = ${e.value(expected)} AND ${sign} < ${e.value(next)}`,
    );
  }
  if (c.maxInvalidAttempts !== null) {
    // not locked at this moment, whatever was read before: no live window, or fewer than the
    // limit counted in it (the window read, or the next one if failures opened it since)
    const windowEnds = e.name('windowEndsAtMs');
    const gen = e.name('gen');
    const max = e.value(c.maxInvalidAttempts);
    const under = (g: number) => {
      const fails = e.name(attr.fails(g));
      return `(${gen} = ${e.value(g)} AND (attribute_not_exists(${fails}) OR ${fails} < ${max}))`;
    };
    e.conditions.push(`(attribute_not_exists(${windowEnds}) OR ${windowEnds} <= ${e.value(nowMs)} OR ${under(c.failuresGen)} OR ${under(c.failuresGen + 1)})`);
    e.removes.push(e.name(attr.fails(c.failuresGen)), e.name(attr.fails(c.failuresGen + 1)));
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
  if (c.webauthnCounter) {
    const { factorId, expected, next } = c.webauthnCounter;
    const count = item?.[attr.sign(factorId)] ?? 0;
    if (count !== expected || (expected !== 0 && next <= expected)) return 'counter_moved';
  }
  const failures = item ? loginStateOf('', '', item).failures : undefined;
  if (c.maxInvalidAttempts !== null && failures && failures.failures >= c.maxInvalidAttempts && failures.windowEndsAtMs > nowMs) return 'locked';
  return 'not_found';
}

/**
 * One more failure, in one write that parallel failures do not collide on (each is counted, in
 * the order DynamoDB takes them, so a right guess racing wrong ones gets through only if fewer
 * than the limit came before it):
 * - in the live window read: `fails:<gen>` plus one, while it stays under the limit;
 * - with no live window: a new generation, counted under a new name (no reset to race on): the
 *   first to open it sets `gen`, the others add to it; opening marks the item in the sparse
 *   `lock-windows` index, so that a lock in this window is found and its event emitted.
 */
export function failureCount(e: Expression, read: LoginFailures | undefined, next: LoginFailures, options: { nowMs: number; max: number }): void {
  const windowEnds = e.name('windowEndsAtMs');
  const gen = e.name('gen');
  const now = e.value(options.nowMs);
  const max = e.value(options.max);
  const live = read !== undefined && read.windowEndsAtMs > options.nowMs;
  const g = read?.gen ?? 0;
  e.sets.push(`${e.name('failuresMax')} = ${e.value(next.maxAttempts)}`, `${windowEnds} = ${e.value(next.windowEndsAtMs)}`, `${e.name('lastFailureAtMs')} = ${now}`);
  if (live) {
    const fails = e.name(attr.fails(g));
    e.sets.push(`${fails} = if_not_exists(${fails}, ${e.value(0)}) + ${e.value(1)}`);
    e.conditions.push(`${gen} = ${e.value(g)}`, `${windowEnds} > ${now}`, `(attribute_not_exists(${fails}) OR ${fails} < ${max})`);
    return;
  }
  const g1 = g + 1;
  const fails = e.name(attr.fails(g1));
  e.sets.push(
    `${gen} = ${e.value(g1)}`,
    `${fails} = if_not_exists(${fails}, ${e.value(0)}) + ${e.value(1)}`,
    `${e.name('lockWindow')} = ${e.value(LOCK_WINDOW_PENDING)}`,
    `${e.name('lockWindowOpenedAtMs')} = ${now}`,
  );
  e.removes.push(e.name(attr.fails(g)));
  const opening = `((attribute_not_exists(${gen}) OR ${gen} = ${e.value(g)}) AND (attribute_not_exists(${windowEnds}) OR ${windowEnds} <= ${now}))`;
  const joining = `(${gen} = ${e.value(g1)} AND ${windowEnds} > ${now} AND (attribute_not_exists(${fails}) OR ${fails} < ${max}))`;
  e.conditions.push(`(${opening} OR ${joining})`);
}
