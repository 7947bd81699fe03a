/**
 * One contract for every UserStore: a change commits whole or not at all, and only on the
 * revision it was decided on (of racing changes one wins); a passkey credential id belongs to one
 * user; a login part's refusal voids the change and says why; pending factors count their wrong
 * codes to a limit, in parallel too; users page by id, by tenant, filtered by status and role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeOf, credentialOf, eventOf, passkeyFactor, profileChange, smsFactor, totpFactor, storeImplementations, summaryOf, T0, unique, type Stores } from '../support/stores';

describe.each(storeImplementations)('UserStore contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  it('creates a profile at revision 0 and moves the revision on with each change; a change on an old revision is a conflict', async () => {
    const tenant = unique('tn_');
    expect(await s.users.load(tenant, 'alice')).toEqual({ factors: [], challenges: [] });
    expect(await s.users.commit(profileChange(tenant, 'alice', 0, { profile: { roles: ['admin'], sso: false, createdAtMs: T0, updatedAtMs: T0, email: 'a@example.com' } }))).toBe('committed');
    expect(await s.users.commit(profileChange(tenant, 'alice', 0))).toBe('conflict');
    const user = await s.users.load(tenant, 'alice');
    expect(user.summaryVersion).toBe(1);
    expect(user.profile).toMatchObject({ tenantId: tenant, userId: 'alice', roles: ['admin'], email: 'a@example.com', createdAtMs: T0 });
    // undefined removes a field; createdAtMs stays the first one
    expect(await s.users.commit(profileChange(tenant, 'alice', 1, { profile: { email: undefined, createdAtMs: T0 + 5, updatedAtMs: T0 + 9 }, summary: summaryOf({ status: 'pending' }) }))).toBe('committed');
    const after = await s.users.load(tenant, 'alice');
    expect(after.profile?.email).toBeUndefined();
    expect(after.profile).toMatchObject({ createdAtMs: T0, updatedAtMs: T0 + 9 });
    expect(after.summary?.status).toBe('pending');
    expect(after.summaryVersion).toBe(2);
  });

  it('of 20 parallel changes on one revision exactly one commits, and only its events and counters are written', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'bob', 0));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.users.commit(profileChange(tenant, 'bob', 1, { events: [eventOf(tenant, 'bob', i)], stats: { racers: 1 }, putFactors: [smsFactor(`f${i}`)] }))),
    );
    expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(19);
    const user = await s.users.load(tenant, 'bob');
    expect(user.summaryVersion).toBe(2);
    expect(user.factors).toHaveLength(1);
    expect((await s.outbox.list(tenant, { limit: 100 })).events).toHaveLength(1);
    expect(await s.stats.read(tenant)).toEqual({ racers: 1 });
  });

  it('a change whose recovery code is already spent is void: none of its factors, devices, events or counters is written', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'carol', 0, { recovery: { put: { hashes: ['h1', 'h2'], sealedCodes: 'sealed', createdAtMs: T0 } } }));
    expect(await s.users.commit(profileChange(tenant, 'carol', 1, { recovery: { spend: 'h1' } }))).toBe('committed');
    const device = { deviceId: 'd1', label: 'Firefox', secretHash: 's', createdAtMs: T0, expiresAtMs: T0 + 86_400_000 };
    const spendAgain = profileChange(tenant, 'carol', 2, {
      recovery: { spend: 'h1' },
      putFactors: [smsFactor('f1')],
      devices: { add: device },
      events: [eventOf(tenant, 'carol', 1)],
      stats: { enrolled: 1 },
    });
    expect(await s.users.commit(spendAgain)).toBe('conflict');
    const user = await s.users.load(tenant, 'carol');
    expect(user.summaryVersion).toBe(2);
    expect(user.recovery?.hashes).toEqual(['h2']);
    expect(user.factors).toEqual([]);
    expect(await s.devices.list(tenant, 'carol')).toEqual([]);
    expect((await s.outbox.list(tenant, { limit: 10 })).events).toEqual([]);
    expect(await s.stats.read(tenant)).toEqual({});
  });

  it('a passkey credential id belongs to one user of a tenant: claiming it again is credential_taken (and void) until its holder gives it up', async () => {
    const tenant = unique('tn_');
    const claim = (factorId: string) => ({ claim: [{ credentialId: 'cred-1', factorId }], release: [] });
    expect(await s.users.commit(profileChange(tenant, 'dave', 0, { credentials: claim('fd') }))).toBe('committed');
    expect(await s.users.commit(profileChange(tenant, 'erin', 0, { credentials: claim('fe'), putFactors: [smsFactor('fe')] }))).toBe('credential_taken');
    expect(await s.users.load(tenant, 'erin')).toEqual({ factors: [], challenges: [] });
    // only the holder gives it up
    expect(await s.users.commit(profileChange(tenant, 'erin', 0, { credentials: { claim: [], release: [{ credentialId: 'cred-1', factorId: 'fe' }] } }))).toBe('conflict');
    expect(await s.users.commit(profileChange(tenant, 'dave', 1, { credentials: { claim: [], release: [{ credentialId: 'cred-1', factorId: 'fd' }] } }))).toBe('committed');
    expect(await s.users.commit(profileChange(tenant, 'erin', 0, { credentials: claim('fe') }))).toBe('committed');
    // another tenant's users are apart
    expect(await s.users.commit(profileChange(unique('tn_'), 'dave', 0, { credentials: claim('fd') }))).toBe('committed');
  });

  it("a login part whose conditions do not hold voids the change and says why; one that holds is written with the rest", async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'frank', 0, { putFactors: [totpFactor('t1')] }));
    const complete = (challengeId: string, step: number) => ({
      complete: { challengeId, verifiedAtMs: T0 + 1000, method: 'totp' as const, totpStep: { factorId: 't1', step }, maxInvalidAttempts: 5, failuresGen: 0 },
    });
    expect(await s.users.commit(profileChange(tenant, 'frank', 1, { login: complete('ch_none', 10), events: [eventOf(tenant, 'frank', 1)] }))).toEqual({ refused: 'not_found' });
    expect(await s.challenges.create(challengeOf(tenant, 'frank', 'ch_1'), [], 0)).toBe(true);
    expect(await s.users.commit(profileChange(tenant, 'frank', 1, { login: complete('ch_1', 10) }))).toBe('committed');
    const user = await s.users.load(tenant, 'frank');
    expect(user.challenges).toMatchObject([{ challengeId: 'ch_1', status: 'verified', verifiedAtMs: T0 + 1000 }]);
    expect(user.factors[0]).toMatchObject({ factorId: 't1', lastUsedStep: 10, lastUsedAtMs: T0 + 1000 });
    expect((await s.outbox.list(tenant, { limit: 10 })).events).toEqual([]);
    expect(await s.users.commit(profileChange(tenant, 'frank', 2, { login: complete('ch_1', 11) }))).toEqual({ refused: 'already_verified' });
    // a login part that deletes the state takes the challenges with it
    expect(await s.users.commit(profileChange(tenant, 'frank', 2, { login: { delete: true } }))).toBe('committed');
    expect((await s.users.load(tenant, 'frank')).challenges).toEqual([]);
  });

  it("a passkey's signature counter and a factor's last step live in the login state: set by a change, moved by a login, gone with removeSteps", async () => {
    const tenant = unique('tn_');
    const passkey = passkeyFactor('w1', { webauthn: { credentialId: 'cred', userHandle: 'uh', signCount: 99, sealed: 'sealed' } });
    await s.users.commit(profileChange(tenant, 'kim', 0, { putFactors: [passkey], login: { setSignCounts: { w1: 4 }, setSteps: { t1: 7 } } }));
    expect(credentialOf((await s.users.load(tenant, 'kim')).factors[0])?.signCount).toBe(4);
    await s.challenges.create(challengeOf(tenant, 'kim', 'ch_1', { method: 'webauthn' }), [], 0);
    const login = { challengeId: 'ch_1', verifiedAtMs: T0 + 1000, method: 'webauthn' as const, webauthnCounter: { factorId: 'w1', expected: 4, next: 5 }, maxInvalidAttempts: null, failuresGen: 0 };
    expect(await s.challenges.complete(tenant, 'kim', login)).toBe('verified');
    expect((await s.users.load(tenant, 'kim')).factors[0]).toMatchObject({ lastUsedAtMs: T0 + 1000, webauthn: { signCount: 5 } });
    expect(await s.users.commit(profileChange(tenant, 'kim', 1, { login: { removeSteps: ['w1'] } }))).toBe('committed');
    const after = (await s.users.load(tenant, 'kim')).factors[0];
    expect(credentialOf(after)?.signCount).toBe(0);
    expect(after?.lastUsedAtMs).toBeUndefined();
  });

  it('a pending factor takes a new code and counts wrong ones to the limit, exactly, under 10 parallel failures; an active one neither', async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'gina', 0, { putFactors: [smsFactor('p1', { status: 'pending', codeHash: 'c0', codeExpiresAtMs: T0 }), smsFactor('a1', { createdAtMs: T0 + 1 })] }));
    expect(await s.users.replaceFactorCode(tenant, 'gina', 'p1', { codeHash: 'c1', codeExpiresAtMs: T0 + 600 })).toBe(true);
    expect(await s.users.replaceFactorCode(tenant, 'gina', 'a1', { codeHash: 'c1', codeExpiresAtMs: T0 + 600 })).toBe(false);
    const counts = await Promise.all(Array.from({ length: 10 }, () => s.users.countFactorFailure(tenant, 'gina', 'p1', 3)));
    expect(counts.filter((c) => c !== false).sort()).toEqual([1, 2, 3]);
    expect(await s.users.countFactorFailure(tenant, 'gina', 'a1', 3)).toBe(false);
    expect(await s.users.countFactorFailure(tenant, 'gina', 'gone', 3)).toBe(false);
    const user = await s.users.load(tenant, 'gina');
    expect(user.factors.map((f) => f.factorId)).toEqual(['p1', 'a1']);
    expect(user.factors[0]).toMatchObject({ codeHash: 'c1', codeExpiresAtMs: T0 + 600, failedAttempts: 3 });
  });

  it('commitMany commits each change whole: a change on an old revision is false and unwritten, and each true one is written', async () => {
    const tenant = unique('tn_');
    const ids = Array.from({ length: 6 }, (_, i) => `u${i}`);
    expect(await s.users.commitMany(ids.map((id) => profileChange(tenant, id, 0, { stats: { imported: 1 } })))).toEqual(ids.map(() => true));
    const again = await s.users.commitMany(ids.map((id, i) => profileChange(tenant, id, i === 2 ? 0 : 1, { stats: { imported: 1 } })));
    expect(again[2]).toBe(false);
    const loaded = await s.users.loadMany(tenant, ids);
    loaded.forEach((user, i) => expect(user.summaryVersion).toBe(again[i] ? 2 : 1));
    expect((await s.stats.read(tenant)).imported).toBe(6 + again.filter(Boolean).length);
    await expect(s.users.commitMany([profileChange(tenant, 'x', 0), profileChange(unique('tn_'), 'y', 0)])).rejects.toThrow();
  });

  it("pages a tenant's users by id, filtered by status or role, never another tenant's; a foreign cursor is refused", async () => {
    const tenant = unique('tn_');
    const other = unique('tn_');
    const ids = Array.from({ length: 7 }, (_, i) => `user-${i}`);
    for (const [i, id] of ids.entries()) {
      await s.users.commit(profileChange(tenant, id, 0, { profile: { roles: i % 2 ? ['admin'] : [], sso: false, createdAtMs: T0, updatedAtMs: T0 }, summary: summaryOf({ status: i < 3 ? 'enrolled' : 'not_started' }) }));
    }
    await s.users.commit(profileChange(other, 'user-9', 0));
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.users.listUsers(tenant, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.userIds.length).toBeLessThanOrEqual(3);
      all.push(...page.userIds);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(ids);
    expect((await s.users.listUsers(tenant, { status: 'enrolled', limit: 10 })).userIds).toEqual(ids.slice(0, 3));
    expect((await s.users.listUsers(tenant, { role: 'admin', limit: 10 })).userIds).toEqual(['user-1', 'user-3', 'user-5']);
    const first = await s.users.summaries(tenant, undefined, 4);
    expect(first.summaries).toHaveLength(4);
    const rest = await s.users.summaries(tenant, first.nextCursor ?? undefined, 10);
    expect(rest.summaries).toHaveLength(3);
    if (!first.nextCursor) throw new Error('expected a cursor');
    await expect(s.users.listUsers(other, { limit: 3, cursor: first.nextCursor })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it("an erasure removes the profile (a new one starts at revision 0) and moves the counters; the tenant's latest enrollments come from the summaries", async () => {
    const tenant = unique('tn_');
    await s.users.commit(profileChange(tenant, 'hana', 0, { summary: summaryOf({ status: 'enrolled', enrolledAtMs: T0 + 10 }), stats: { enrolled: 1 } }));
    await s.users.commit(profileChange(tenant, 'ivan', 0, { summary: summaryOf({ status: 'enrolled', enrolledAtMs: T0 + 20 }), stats: { enrolled: 1 } }));
    expect(await s.stats.recentEnrollments(tenant, 10)).toEqual([
      { userId: 'ivan', enrolledAtMs: T0 + 20 },
      { userId: 'hana', enrolledAtMs: T0 + 10 },
    ]);
    expect(await s.users.commit(profileChange(tenant, 'ivan', 1, { erase: true, stats: { enrolled: -1 } }))).toBe('committed');
    expect((await s.users.load(tenant, 'ivan')).profile).toBeUndefined();
    expect(await s.stats.read(tenant)).toEqual({ enrolled: 1 });
    expect(await s.stats.recentEnrollments(tenant, 10)).toEqual([{ userId: 'hana', enrolledAtMs: T0 + 10 }]);
    expect(await s.users.commit(profileChange(tenant, 'ivan', 0))).toBe('committed');
    await s.stats.add(tenant, { enrolled: 2, repaired: 1 });
    expect(await s.stats.read(tenant)).toEqual({ enrolled: 3, repaired: 1 });
  });
});
