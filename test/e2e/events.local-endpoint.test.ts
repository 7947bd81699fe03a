/**
 * `GET /_local/events` is what API.md promises: no key, JSON
 * `{"events": [{"type", "tenantId", "userId", "at", "detail"}]}` (plus eventId and actor), the
 * events that would go to EventBridge, oldest first; on a data directory they survive a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/fakes';
import { enrolTotp, type Twofold } from '../support/twofold';
import { startTwofoldWithEvents } from '../support/events';

let dataDir: string;
let t: Twofold | undefined;
const clock = new ManualClock();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'twofold-events-'));
  t = await startTwofoldWithEvents({ dataDir, clock });
});
afterAll(async () => {
  await t?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /_local/events', () => {
  it('with no event yet: 200 {"events": []}, no key needed', async () => {
    const r = await t!.anon('GET', '/_local/events');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body).toEqual({ events: [] });
  });

  it('lists the events with the documented fields, oldest first', async () => {
    await enrolTotp(t!, t!.app, 'olga');
    clock.advanceSeconds(90);
    await enrolTotp(t!, t!.app, 'pia');
    const r = await t!.anon('GET', '/_local/events');
    expect(Object.keys(r.body)).toEqual(['events']);
    const events = r.body.events as Record<string, unknown>[];
    expect(events.map((e) => [e.userId, e.type])).toEqual([
      ['olga', 'factor.added'],
      ['olga', 'two_factor.enabled'],
      ['pia', 'factor.added'],
      ['pia', 'two_factor.enabled'],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ type: expect.any(String), tenantId: t!.tenant.tenantId, userId: expect.any(String), at: expect.any(String), detail: expect.any(Object) });
    }
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at as string)].sort());
    expect(events[0]!.at).not.toBe(events[2]!.at);
  });

  it('after a restart on the same data directory the events are still listed', async () => {
    const before = (await t!.anon('GET', '/_local/events')).body;
    const tenant = t!.tenant;
    await t!.stop();
    t = await startTwofoldWithEvents({ dataDir, clock, tenant });
    expect((await t.anon('GET', '/_local/events')).body).toEqual(before);
  });
});
