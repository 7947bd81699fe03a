/**
 * One contract for every GraceDeadlines: users in the grace index are found by deadline, page
 * by page; each notice is claimed once per deadline (of 20 parallel claims one), with its event
 * if it has one; a release lets the next run claim again; the expiry notice takes the user out
 * of the index (a release puts them back); backfills are kept per tenant, the newest request wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraceDue } from '@twofold/core';
import { eventOf, profileChange, storeImplementations, summaryOf, T0, unique, type Stores } from '../support/stores';

const DAY_MS = 86_400_000;

describe.each(storeImplementations)('GraceDeadlines contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  /** A user waiting to enroll, with this deadline, in the index or not. */
  const waiting = (tenant: string, userId: string, graceEndsAtMs: number, inGraceIndex = true) =>
    s.users.commit(profileChange(tenant, userId, 0, { profile: { roles: [], sso: false, createdAtMs: T0, updatedAtMs: T0, email: `${userId}@example.com` }, summary: summaryOf({ graceEndsAtMs }), inGraceIndex }));

  /** Every page of the index up to the horizon (a page may be short, or empty, and still have a cursor): the tenant's items. */
  const allDue = async (tenant: string, horizonMs: number, limit = 2) => {
    const found: GraceDue[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const { items, nextCursor } = await s.grace.due(horizonMs, cursor, limit);
      found.push(...items.filter((i) => i.tenantId === tenant));
      if (!nextCursor) return found.sort((x, y) => x.graceEndsAtMs - y.graceEndsAtMs || (x.userId < y.userId ? -1 : 1));
      cursor = nextCursor;
    }
    throw new Error('the index did not end within 50 pages');
  };
  const dueOf = async (tenant: string, horizonMs: number) => (await allDue(tenant, horizonMs)).map(({ userId, graceEndsAtMs }) => ({ userId, graceEndsAtMs }));

  it('finds the users in the index whose deadline is at or before the horizon, page by page, with their email', async () => {
    const tenant = unique('tn_');
    for (let i = 0; i < 5; i++) await waiting(tenant, `u${i}`, T0 + i * DAY_MS);
    await waiting(tenant, 'out', T0, false);
    expect(await dueOf(tenant, T0 + 3 * DAY_MS)).toEqual([0, 1, 2, 3].map((i) => ({ userId: `u${i}`, graceEndsAtMs: T0 + i * DAY_MS })));
    expect((await allDue(tenant, T0))[0]).toEqual({ tenantId: tenant, userId: 'u0', graceEndsAtMs: T0, email: 'u0@example.com' });
  });

  it('claims a notice once per deadline of 20 parallel claims, with its event; a release lets it be claimed again; a moved deadline refuses', async () => {
    const tenant = unique('tn_');
    const deadline = T0 + DAY_MS;
    await waiting(tenant, 'alice', deadline);
    const event = eventOf(tenant, 'alice', 1, { type: 'enforcement.grace_expired', actor: 'system', detail: { graceEndsAt: new Date(deadline).toISOString() } });
    const raced = await Promise.all(Array.from({ length: 20 }, () => s.grace.claim(tenant, 'alice', 'expired', deadline, event)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await s.outbox.list(tenant, { limit: 10 })).events).toEqual([event]);
    expect((await allDue(tenant, deadline))[0]).toMatchObject({ expiredFor: new Date(deadline).toISOString() });
    expect(await s.grace.claim(tenant, 'alice', 'reminder1', deadline + 1)).toBe(false);
    expect(await s.grace.claim(tenant, 'alice', 'reminder1', deadline)).toBe(true);
    await s.grace.release(tenant, 'alice', 'reminder1', deadline);
    expect(await s.grace.claim(tenant, 'alice', 'reminder1', deadline)).toBe(true);
    expect(await s.grace.claim(tenant, 'nobody', 'reminder1', deadline)).toBe(false);
  });

  it('the expiry notice takes the user out of the index and its release puts them back; forget takes out an expired user only', async () => {
    const tenant = unique('tn_');
    const deadline = T0 + DAY_MS;
    await waiting(tenant, 'bob', deadline);
    await waiting(tenant, 'carol', deadline);
    expect(await s.grace.claim(tenant, 'bob', 'expiredNotice', deadline)).toBe(true);
    expect((await dueOf(tenant, deadline)).map((d) => d.userId)).toEqual(['carol']);
    expect(await s.grace.claim(tenant, 'bob', 'reminder1', deadline)).toBe(false);
    await s.grace.release(tenant, 'bob', 'expiredNotice', deadline);
    expect((await dueOf(tenant, deadline)).map((d) => d.userId)).toEqual(['bob', 'carol']);
    await s.grace.forget(tenant, 'carol', deadline);
    expect((await dueOf(tenant, deadline)).map((d) => d.userId)).toEqual(['bob', 'carol']);
    await s.grace.claim(tenant, 'carol', 'expired', deadline);
    await s.grace.forget(tenant, 'carol', deadline + 1);
    await s.grace.forget(tenant, 'carol', deadline);
    expect((await dueOf(tenant, deadline)).map((d) => d.userId)).toEqual(['bob']);
  });

  it('keeps a backfill per tenant: the newest request replaces the last, and a cursor or finish of an older request changes nothing', async () => {
    const tenant = unique('tn_');
    const mine = async () => (await s.grace.backfills()).filter((b) => b.tenantId === tenant);
    await s.grace.requestBackfill(tenant, T0);
    await s.grace.saveBackfillCursor(tenant, T0, 'c1');
    expect(await mine()).toEqual([{ tenantId: tenant, requestedAtMs: T0, cursor: 'c1' }]);
    await s.grace.requestBackfill(tenant, T0 + 1);
    await s.grace.saveBackfillCursor(tenant, T0, 'c2');
    await s.grace.finishBackfill(tenant, T0);
    expect(await mine()).toEqual([{ tenantId: tenant, requestedAtMs: T0 + 1 }]);
    await s.grace.finishBackfill(tenant, T0 + 1);
    expect(await mine()).toEqual([]);
  });
});
