/**
 * One contract for every ChallengeStore: a challenge is added only at the revision read (of
 * parallel adds one wins); a login's completion is one conditional write that says why it did not
 * hold (of parallel completions one verifies; a step or a passkey counter is used once; a locked
 * user is refused); failures are counted each, never past the limit, and the window that opens
 * marks the user for the lock relay; a resend is refused past the limit or within the cooldown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChallengeCompletion, CodeUpdate } from '@twofold/core';
import type { LoginFailures } from '@twofold/core/records';
import { challengeOf, profileChange, storeImplementations, T0, unique, type Stores } from '../support/stores';

const completion = (challengeId: string, over: Partial<ChallengeCompletion> = {}): ChallengeCompletion => ({
  challengeId,
  verifiedAtMs: T0 + 1000,
  method: 'totp',
  maxInvalidAttempts: 5,
  failuresGen: 0,
  ...over,
});

const failure = (read: LoginFailures | undefined, nowMs: number, max = 5) => ({
  read,
  next: { failures: (read && read.windowEndsAtMs > nowMs ? read.failures : 0) + 1, maxAttempts: max, windowEndsAtMs: nowMs + 900_000, gen: read?.gen ?? 0 },
  nowMs,
  max,
});

const resend = (over: Partial<CodeUpdate> = {}): CodeUpdate => ({
  method: 'sms',
  factorId: 'f1',
  codeHash: 'code-2',
  sentAtMs: T0 + 60_000,
  expiresAtMs: T0 + 360_000,
  countsAsResend: true,
  resendLimit: 2,
  cooldownSeconds: 30,
  ...over,
});

describe.each(storeImplementations)('ChallengeStore contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('adds a challenge only at the revision read, dropping the ended ones it names; of 20 parallel adds on one revision one wins', async () => {
    const tenant = unique('tn_');
    expect(await s.challenges.create(challengeOf(tenant, 'alice', 'ch_1'), [], 0)).toBe(true);
    expect(await s.challenges.create(challengeOf(tenant, 'alice', 'ch_2'), [], 0)).toBe(false);
    expect(await s.challenges.create(challengeOf(tenant, 'alice', 'ch_2'), ['ch_1'], 1)).toBe(true);
    const user = await s.users.load(tenant, 'alice');
    expect(user.challenges.map((c) => c.challengeId)).toEqual(['ch_2']);
    expect(user.challengeRevision).toBe(2);
    const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => s.challenges.create(challengeOf(tenant, 'alice', `ch_r${i}`), [], 2)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await s.users.load(tenant, 'alice')).challenges).toHaveLength(2);
  });

  it('completes a pending challenge once: of 20 parallel completions one is verified, the others already_verified', async () => {
    const tenant = unique('tn_');
    await s.challenges.create(challengeOf(tenant, 'bob', 'ch_1'), [], 0);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => s.challenges.complete(tenant, 'bob', completion('ch_1'))));
    expect(outcomes.filter((o) => o === 'verified')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already_verified')).toHaveLength(19);
    expect((await s.users.load(tenant, 'bob')).challenges[0]).toMatchObject({ status: 'verified', verifiedAtMs: T0 + 1000, verifiedMethod: 'totp' });
    expect(await s.challenges.complete(tenant, 'bob', completion('ch_none'))).toBe('not_found');
    expect(await s.challenges.complete(tenant, 'nobody', completion('ch_1'))).toBe('not_found');
  });

  it('refuses an expired challenge, a replaced code, a used TOTP step and a moved passkey counter, each by its reason', async () => {
    const tenant = unique('tn_');
    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_1', { method: 'sms', codeHash: 'code-1' }), [], 0);
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_1', { verifiedAtMs: T0 + 300_000 }))).toBe('expired');
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_1', { method: 'sms', expectedCodeHash: 'code-0' }))).toBe('code_replaced');
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_1', { method: 'sms', expectedCodeHash: 'code-1' }))).toBe('verified');

    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_2'), [], 1);
    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_3'), [], 2);
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_2', { totpStep: { factorId: 't1', step: 100 } }))).toBe('verified');
    // that step, or an earlier one, never again (a later one may)
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_3', { totpStep: { factorId: 't1', step: 100 } }))).toBe('step_used');
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_3', { totpStep: { factorId: 't1', step: 99 } }))).toBe('step_used');
    expect(await s.challenges.complete(tenant, 'carol', completion('ch_3', { totpStep: { factorId: 't2', step: 100 } }))).toBe('verified');

    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_4', { method: 'webauthn' }), [], 3);
    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_5', { method: 'webauthn' }), [], 4);
    await s.challenges.create(challengeOf(tenant, 'carol', 'ch_6', { method: 'webauthn' }), [], 5);
    const passkey = (challengeId: string, expected: number, next: number) => completion(challengeId, { method: 'webauthn', webauthnCounter: { factorId: 'w1', expected, next } });
    expect(await s.challenges.complete(tenant, 'carol', passkey('ch_4', 0, 7))).toBe('verified');
    expect(await s.challenges.complete(tenant, 'carol', passkey('ch_5', 0, 8))).toBe('counter_moved');
    expect(await s.challenges.complete(tenant, 'carol', passkey('ch_5', 7, 7))).toBe('counter_moved');
    expect(await s.challenges.complete(tenant, 'carol', passkey('ch_5', 7, 8))).toBe('verified');
    expect(await s.challenges.complete(tenant, 'carol', passkey('ch_6', 7, 9))).toBe('counter_moved');
  });

  it('counts 20 parallel failures each, up to the limit and no further; the window opened marks the user until settled; a locked user cannot complete', async () => {
    const tenant = unique('tn_');
    await s.challenges.create(challengeOf(tenant, 'dave', 'ch_1'), [], 0);
    const now = T0 + 10_000;
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => s.challenges.countFailure(tenant, 'dave', failure(undefined, now))));
    expect(outcomes.filter((o) => o.counted)).toHaveLength(5);
    const user = await s.users.load(tenant, 'dave');
    expect(user.failures).toMatchObject({ failures: 5, maxAttempts: 5, windowEndsAtMs: now + 900_000, gen: 1, lastAtMs: now });
    const refused = outcomes.find((o) => !o.counted);
    expect(refused && !refused.counted && refused.current?.failures).toBe(5);

    expect(await s.challenges.complete(tenant, 'dave', completion('ch_1', { verifiedAtMs: now + 1000, failuresGen: 1 }))).toBe('locked');
    const marked = (await s.challenges.pendingLocks(1000)).filter((m) => m.tenantId === tenant);
    expect(marked).toEqual([{ tenantId: tenant, userId: 'dave', failures: expect.objectContaining({ failures: 5, gen: 1 }) }]);
    await s.challenges.settleLock(tenant, 'dave', 0); // another window's settlement leaves the mark
    expect((await s.challenges.pendingLocks(1000)).filter((m) => m.tenantId === tenant)).toHaveLength(1);
    await s.challenges.settleLock(tenant, 'dave', 1);
    expect((await s.challenges.pendingLocks(1000)).filter((m) => m.tenantId === tenant)).toEqual([]);

    // once the window has ended, the next failure opens the one after it, and a completion goes through
    const later = now + 900_000;
    const read = (await s.users.load(tenant, 'dave')).failures;
    const next = await s.challenges.countFailure(tenant, 'dave', failure(read, later));
    expect(next).toMatchObject({ counted: true, failures: { failures: 1, gen: 2 } });
    await s.challenges.create(challengeOf(tenant, 'dave', 'ch_2', { expiresAtMs: later + 300_000 }), [], 1);
    expect(await s.challenges.complete(tenant, 'dave', completion('ch_2', { verifiedAtMs: later + 1, failuresGen: 2 }))).toBe('verified');
    // a completion ends the window: the failures read after it are none
    expect((await s.users.load(tenant, 'dave')).failures).toMatchObject({ failures: 0, windowEndsAtMs: 0, gen: 2 });
  });

  it('a user change clearing the failures ends the window, as a completion does', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'erin', 0));
    await s.challenges.countFailure(tenant, 'erin', failure(undefined, T0));
    expect((await s.users.load(tenant, 'erin')).failures).toMatchObject({ failures: 1, gen: 1 });
    expect(await s.users.commit(profileChange(tenant, 'erin', 1, { login: { clearFailures: true } }))).toBe('committed');
    expect((await s.users.load(tenant, 'erin')).failures).toMatchObject({ failures: 0, windowEndsAtMs: 0, gen: 1 });
  });

  it('replaces a pending code within the resend limit and outside the cooldown (of 10 parallel resends one), restores it, and deletes a pending challenge', async () => {
    const tenant = unique('tn_');
    await s.challenges.create(challengeOf(tenant, 'gina', 'ch_1', { method: 'sms', factorId: 'f1', codeHash: 'code-1', codeSentAtMs: T0 }), [], 0);
    const raced = await Promise.all(Array.from({ length: 10 }, () => s.challenges.replaceCode(tenant, 'gina', 'ch_1', resend())));
    expect(raced.filter((o) => o === 'replaced')).toHaveLength(1);
    expect(raced.filter((o) => o === 'cooldown')).toHaveLength(9);
    const after = (await s.users.load(tenant, 'gina')).challenges[0];
    expect(after).toMatchObject({ codeHash: 'code-2', resends: 1, codeSentAtMs: T0 + 60_000, expiresAtMs: T0 + 360_000 });
    expect(await s.challenges.replaceCode(tenant, 'gina', 'ch_1', resend({ sentAtMs: T0 + 120_000, codeHash: 'code-3' }))).toBe('replaced');
    expect(await s.challenges.replaceCode(tenant, 'gina', 'ch_1', resend({ sentAtMs: T0 + 180_000, codeHash: 'code-4' }))).toBe('limit');
    // a switch of method that is not a resend: no limit, no cooldown; without a code the old one goes
    expect(await s.challenges.replaceCode(tenant, 'gina', 'ch_1', resend({ method: 'totp', countsAsResend: false, codeHash: undefined, factorId: undefined }))).toBe('replaced');
    const switched = (await s.users.load(tenant, 'gina')).challenges[0];
    expect(switched).toMatchObject({ method: 'totp', resends: 2 });
    expect(switched?.codeHash).toBeUndefined();
    expect(switched?.factorId).toBeUndefined();

    // restored only while the replacing code is still there
    if (!after) throw new Error('no challenge');
    await s.challenges.restoreCode(tenant, 'gina', after, 'code-9');
    expect((await s.users.load(tenant, 'gina')).challenges[0]?.method).toBe('totp');
    await s.challenges.restoreCode(tenant, 'gina', after, undefined);
    expect((await s.users.load(tenant, 'gina')).challenges[0]).toMatchObject({ method: 'sms', codeHash: 'code-2', factorId: 'f1', resends: 1, codeSentAtMs: T0 + 60_000 });

    expect(await s.challenges.replaceCode(tenant, 'gina', 'ch_1', resend({ sentAtMs: T0 + 400_000 }))).toBe('not_pending');
    expect(await s.challenges.replaceCode(tenant, 'gina', 'ch_none', resend())).toBe('not_pending');
    await s.challenges.deletePending(tenant, 'gina', 'ch_1');
    expect((await s.users.load(tenant, 'gina')).challenges).toEqual([]);
    // a verified challenge stays
    await s.challenges.create(challengeOf(tenant, 'gina', 'ch_2'), [], 1);
    await s.challenges.complete(tenant, 'gina', completion('ch_2'));
    await s.challenges.deletePending(tenant, 'gina', 'ch_2');
    expect((await s.users.load(tenant, 'gina')).challenges).toHaveLength(1);
  });
});
