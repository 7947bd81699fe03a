/**
 * One contract for every EventOutbox: recorded events are pending, oldest first across tenants,
 * until published (by any number of racing relays); recordOnce records an event once, of 20
 * parallel tries; a refused event is parked at the limit; the audit trail lists a tenant's events
 * newest first, of one user or one type, in [from, to), page by page, and never another tenant's;
 * an erasure takes the user's events but the kept types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@twofold/contract';
import { eventOf, storeImplementations, unique, type Stores } from '../support/stores';

const ids = (events: SecurityEvent[]) => events.map((e) => e.eventId);

describe.each(storeImplementations)('EventOutbox contract: %s', (_, make) => {
  let s: Stores;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s.stop());

  const a = unique('tn_');
  const b = unique('tn_');
  /** 30 events a second apart, alternating tenants and users, every third a lock. */
  const events = Array.from({ length: 30 }, (_, i) =>
    eventOf(i % 2 === 0 ? a : b, i % 4 < 2 ? 'alice' : 'bob', i, i % 3 === 0 ? { type: 'user.locked', actor: 'system', detail: { lockedUntil: '2026-11-22T10:10:00.000Z' } } : {}),
  );
  const pendingOfRun = async () => (await s.outbox.pending(1000)).filter((e) => e.tenantId === a || e.tenantId === b);

  it('records events as pending, oldest first across tenants, as they went in; racing relays marking them published is harmless', async () => {
    await s.outbox.record([...events].reverse());
    expect(await pendingOfRun()).toEqual(events);
    await s.outbox.markPublished(events.slice(0, 10));
    await Promise.all(Array.from({ length: 20 }, () => s.outbox.markPublished(events.slice(5, 15))));
    expect(ids(await pendingOfRun())).toEqual(ids(events.slice(15)));
  });

  it("lists a tenant's events newest first, of one user, of one type, in [from, to), page by page; a cursor of another tenant is refused", async () => {
    const ofA = events.filter((e) => e.tenantId === a);
    expect(ids((await s.outbox.list(a, { limit: 100 })).events)).toEqual(ids([...ofA].reverse()));
    const paged: SecurityEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.outbox.list(a, { limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(4);
      paged.push(...page.events);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids(paged)).toEqual(ids([...ofA].reverse()));
    expect(ids((await s.outbox.list(a, { userId: 'alice', limit: 100 })).events)).toEqual(ids(ofA.filter((e) => e.userId === 'alice').reverse()));
    // a type filter may leave a page short, and still page on to every one
    const locks: SecurityEvent[] = [];
    cursor = undefined;
    do {
      const page = await s.outbox.list(a, { type: 'user.locked', limit: 3, ...(cursor ? { cursor } : {}) });
      locks.push(...page.events);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids(locks)).toEqual(ids(ofA.filter((e) => e.type === 'user.locked').reverse()));
    const [from, to] = [events[4]?.at, events[10]?.at];
    expect(ids((await s.outbox.list(a, { from, to, limit: 100 })).events)).toEqual(ids([events[8], events[6], events[4]].flatMap((e) => (e ? [e] : []))));
    const first = await s.outbox.list(a, { limit: 2 });
    if (!first.nextCursor) throw new Error('expected a cursor');
    await expect(s.outbox.list(b, { limit: 2, cursor: first.nextCursor })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('records an event once of 20 parallel recordOnce calls; record again replaces it', async () => {
    const tenant = unique('tn_');
    const event = eventOf(tenant, 'carol', 1, { type: 'user.locked', actor: 'system', detail: { lockedUntil: '2026-11-22T10:10:00.000Z' } });
    const tries = await Promise.all(Array.from({ length: 20 }, () => s.outbox.recordOnce(event)));
    expect(tries.filter(Boolean)).toHaveLength(1);
    expect((await s.outbox.list(tenant, { limit: 10 })).events).toEqual([event]);
  });

  it('counts refusals by the bus and parks the event at the limit: out of pending, still in the audit trail; a published one counts none', async () => {
    const tenant = unique('tn_');
    const [first, second] = [eventOf(tenant, 'dave', 1), eventOf(tenant, 'dave', 2)];
    if (!first || !second) throw new Error('no events');
    await s.outbox.record([first, second]);
    expect(await s.outbox.publishRefused(first, 'bus said no', 3)).toEqual({ attempts: 1, parked: false });
    expect(await s.outbox.publishRefused(first, 'bus said no', 3)).toEqual({ attempts: 2, parked: false });
    expect(await s.outbox.publishRefused(first, 'bus said no', 3)).toEqual({ attempts: 3, parked: true });
    expect(ids((await s.outbox.pending(1000)).filter((e) => e.tenantId === tenant))).toEqual([second.eventId]);
    expect(ids((await s.outbox.list(tenant, { limit: 10 })).events)).toEqual([second.eventId, first.eventId]);
    await s.outbox.markPublished([second]);
    expect(await s.outbox.publishRefused(second, 'late', 3)).toMatchObject({ parked: false });
    expect((await s.outbox.pending(1000)).filter((e) => e.tenantId === tenant)).toEqual([]);
  });

  it("an erasure takes every event of the user but the kept types, and no one else's", async () => {
    const tenant = unique('tn_');
    const mine = [eventOf(tenant, 'erin', 1), eventOf(tenant, 'erin', 2, { type: 'user.locked', actor: 'system', detail: { lockedUntil: '2026-11-22T10:10:00.000Z' } })];
    const theirs = eventOf(tenant, 'frank', 3);
    await s.outbox.record([...mine, theirs]);
    await s.outbox.eraseUser(tenant, 'erin', ['user.locked']);
    expect(ids((await s.outbox.list(tenant, { limit: 10 })).events)).toEqual([theirs.eventId, mine[1]?.eventId]);
  });
});
