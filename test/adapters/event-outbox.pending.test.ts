/**
 * The DynamoDB event outbox against dynalite through the real SDK: recorded events wait in the
 * pending index, oldest first across tenants, until marked published (which any number of
 * racing relays may do at once); the audit trail lists a tenant's events newest first, of one
 * user if asked, page by page, and never another tenant's; what comes back is the event alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoEventOutbox } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import { dynaliteOutbox } from '../support/events';

let local: Awaited<ReturnType<typeof dynaliteOutbox>>;
let outbox: DynamoEventOutbox;
beforeAll(async () => {
  local = await dynaliteOutbox();
  ({ outbox } = local);
});
afterAll(() => local.stop());

/** 30 events, a second apart, alternating tenants and users (more than one BatchWrite of 25). */
const events = Array.from({ length: 30 }, (_, i): SecurityEvent => ({
  eventId: `ev_${String(i).padStart(16, '0')}`,
  type: i % 3 === 0 ? 'user.locked' : 'recovery_code.used',
  tenantId: i % 2 === 0 ? 'tn_a' : 'tn_b',
  userId: i % 4 < 2 ? 'alice' : 'bob',
  at: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
  actor: i % 3 === 0 ? 'system' : 'user',
  detail: i % 3 === 0 ? { lockedUntil: '2026-11-22T10:10:00.000Z' } : { remaining: i % 8 },
}));
const ids = (list: SecurityEvent[]) => list.map((e) => e.eventId);

describe('DynamoEventOutbox', () => {
  it('records events; all are pending, oldest first across tenants, and come back as they went in', async () => {
    // recorded out of order: the index orders them
    await outbox.record([...events].reverse());
    expect(ids(await outbox.pending(5))).toEqual(ids(events.slice(0, 5)));
    expect(await outbox.pending(100)).toEqual(events);
  });

  it('marking published takes events out of pending; 20 racing relays marking the same events is harmless', async () => {
    await outbox.markPublished(events.slice(0, 10));
    await Promise.all(Array.from({ length: 20 }, () => outbox.markPublished(events.slice(5, 15))));
    expect(ids(await outbox.pending(100))).toEqual(ids(events.slice(15)));
  });

  it("lists a tenant's events newest first, published or not, and none of the other tenant's", async () => {
    const { events: listed, nextCursor } = await outbox.list('tn_a', { limit: 100 });
    expect(ids(listed)).toEqual(ids(events.filter((e) => e.tenantId === 'tn_a').reverse()));
    expect(nextCursor).toBeNull();
  });

  it("lists one user's events of one tenant", async () => {
    const { events: listed } = await outbox.list('tn_b', { userId: 'alice', limit: 100 });
    expect(ids(listed)).toEqual(ids(events.filter((e) => e.tenantId === 'tn_b' && e.userId === 'alice').reverse()));
    expect((await outbox.list('tn_c', { userId: 'alice', limit: 100 })).events).toEqual([]);
  });

  it('pages with an opaque cursor: every event once, in order', async () => {
    const seen: SecurityEvent[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await outbox.list('tn_b', { limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...result.events);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(ids(seen)).toEqual(ids(events.filter((e) => e.tenantId === 'tn_b').reverse()));
  });

  it("refuses a made-up cursor, and one made for another tenant's list", async () => {
    await expect(outbox.list('tn_a', { limit: 4, cursor: 'not base64 json!' })).rejects.toThrow();
    const { nextCursor } = await outbox.list('tn_b', { limit: 4 });
    await expect(outbox.list('tn_a', { limit: 4, cursor: nextCursor! })).rejects.toThrow();
    const { nextCursor: alices } = await outbox.list('tn_b', { userId: 'alice', limit: 2 });
    await expect(outbox.list('tn_a', { userId: 'alice', limit: 4, cursor: alices! })).rejects.toThrow();
  });
});
