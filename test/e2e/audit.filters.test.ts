/**
 * The audit trail as a help desk reads it: filtered by event type and by a time range (from
 * inclusive, to exclusive; dates are midnight UTC), every page of a type filter followed to the
 * end finding each matching entry once; what an admin did names the admin API key it was done
 * with; a policy change says each setting's value before and after. Bad filters get 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Api } from '../support/api';
import { enrolTotp, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

type Entry = { type: string; userId: string | null; at: string; actor: string; details: Record<string, unknown> };

let t: Twofold;
let helpDesk: Api;
let helpDeskKeyId: string;
const DAY = 86_400;

async function all(query: string, limit: number): Promise<{ events: Entry[]; pages: number }> {
  const events: Entry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await t.admin('GET', `/v1/admin/audit?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.events.length).toBeLessThanOrEqual(limit);
    events.push(...r.body.events);
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { events, pages };
}

beforeAll(async () => {
  t = await testService();
  t.clock.set(Date.parse('2026-12-01T09:00:00Z'));
  const created = await t.admin('POST', '/v1/admin/api-keys', { name: 'Help desk', scope: 'admin' });
  expect(created.status, created.text).toBe(201);
  helpDesk = api(t.baseUrl, created.body.key);
  helpDeskKeyId = created.body.keyId;
  // Dec 1: two users enrol (the app's key), the help desk unlocks one
  await enrolTotp(t, t.app, 'ann');
  await enrolTotp(t, t.app, 'bob');
  expect((await helpDesk('POST', '/v1/admin/users/ann/unlock')).status).toBe(204);
  // Dec 2: the help desk changes the policy and unlocks bob
  t.clock.advanceSeconds(DAY);
  const changed = await helpDesk('PATCH', '/v1/policy', { enforcement: { mode: 'all' }, resendLimit: 5 });
  expect(changed.status, changed.text).toBe(200);
  expect((await helpDesk('POST', '/v1/admin/users/bob/unlock')).status).toBe(204);
  // Dec 3: more noise, then one more unlock by the tenant's first admin key
  t.clock.advanceSeconds(DAY);
  for (const userId of ['cy', 'di', 'ed', 'flo']) await enrolTotp(t, t.app, userId);
  expect((await t.admin('POST', '/v1/admin/users/cy/unlock')).status).toBe(204);
});
afterAll(() => t.stop());

describe('the audit trail filtered', () => {
  it('by type: only that type, every matching entry once across short pages', async () => {
    const { events, pages } = await all('&type=user.unlocked', 1);
    expect(events.map((e) => [e.type, e.userId])).toEqual([
      ['user.unlocked', 'cy'],
      ['user.unlocked', 'bob'],
      ['user.unlocked', 'ann'],
    ]);
    expect(pages).toBeGreaterThanOrEqual(3);
    // the same filter for one user
    expect((await all('&type=factor.added&userId=bob', 10)).events.map((e) => e.userId)).toEqual(['bob']);
  });

  it('by time: from inclusive, to exclusive, dates meaning midnight UTC', async () => {
    const dec2 = (await all('&from=2026-12-02&to=2026-12-03', 100)).events;
    expect(dec2.map((e) => e.type).sort()).toEqual(['policy.updated', 'user.unlocked']);
    expect(dec2.every((e) => e.at >= '2026-12-02T00:00:00.000Z' && e.at < '2026-12-03T00:00:00.000Z')).toBe(true);
    // an entry exactly at `from` is in; at `to` it is out
    const at = dec2[0]?.at ?? '';
    expect((await all(`&from=${encodeURIComponent(at)}&to=2026-12-03`, 100)).events.map((e) => e.at)).toContain(at);
    expect((await all(`&from=2026-12-02&to=${encodeURIComponent(at)}`, 100)).events.map((e) => e.at)).not.toContain(at);
    // open-ended ranges, an offset, and type with time together
    expect((await all('&to=2026-12-02', 100)).events.every((e) => e.at.startsWith('2026-12-01'))).toBe(true);
    expect((await all('&from=2026-12-03T01:00:00%2B01:00', 100)).events.every((e) => e.at >= '2026-12-03T00:00:00.000Z')).toBe(true);
    expect((await all('&type=user.unlocked&from=2026-12-02', 1)).events.map((e) => e.userId)).toEqual(['cy', 'bob']);
  });

  it.each([
    ['a date that is not one', '&from=yesterday', 'query.from'],
    ['a time without an offset', '&to=2026-12-02T10:00:00', 'query.to'],
    ['from not before to', '&from=2026-12-03&to=2026-12-02', 'query.from'],
    ['an unknown event type', '&type=user.hacked', 'query.type'],
  ])('%s: 400 invalid_request naming the field', async (_name, query, field) => {
    const r = await t.admin('GET', `/v1/admin/audit?limit=10${query}`);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });
});

describe('who did it, and what changed', () => {
  it("an admin's entry names the admin API key it was made with; a user's entry names none", async () => {
    const unlocks = (await all('&type=user.unlocked', 10)).events;
    expect(unlocks.find((e) => e.userId === 'ann')).toMatchObject({ actor: 'admin', details: { byKeyId: helpDeskKeyId, byKeyName: 'Help desk' } });
    expect(unlocks.find((e) => e.userId === 'cy')).toMatchObject({ actor: 'admin', details: { byKeyName: 'initial admin key' } });
    const enrolled = (await all('&type=factor.added&userId=ann', 10)).events;
    expect(enrolled[0]?.actor).toBe('user');
    expect(enrolled[0]?.details).not.toHaveProperty('byKeyName');
  });

  it('policy.updated holds each changed setting before and after, and nothing unchanged', async () => {
    const [change] = (await all('&type=policy.updated', 10)).events;
    expect(change).toMatchObject({
      actor: 'admin',
      userId: null,
      details: {
        changed: 'enforcement,resendLimit',
        'before.enforcement.mode': '"optional"',
        'after.enforcement.mode': '"all"',
        'before.resendLimit': '3',
        'after.resendLimit': '5',
        byKeyName: 'Help desk',
      },
    });
    const settings = Object.keys(change?.details ?? {}).filter((k) => k.startsWith('before.') || k.startsWith('after.'));
    expect(settings.sort()).toEqual(['after.enforcement.mode', 'after.resendLimit', 'before.enforcement.mode', 'before.resendLimit']);
  });
});
