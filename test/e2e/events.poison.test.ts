/**
 * A poison event: one security event that the bus keeps refusing (EventBridge refuses single
 * entries of a PutEvents, e.g. a malformed or oversized detail) must not hold back every event
 * behind it. The relay publishes the others, counts the refusals of the poison event, and after
 * MAX_PUBLISH_ATTEMPTS runs parks it: out of the pending list, still in the audit trail, and
 * logged with its id. A relay that cannot reach the bus at all logs that it failed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_PUBLISH_ATTEMPTS } from '@twofold/core';
import { enrolTotp, type Twofold } from '../support/twofold';
import { eventsOf, localBus, startTwofoldWithEvents } from '../support/events';

let t: Twofold & { relayTimerTick(): void };
beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
});
afterAll(() => t?.stop());
afterEach(() => {
  localBus(t).failing = false;
  localBus(t).refuses = undefined;
});

const pending = () => t.runtime.deps.outbox.pending(100);

/** The JSON log lines written (stdout and stderr) while `run` runs. */
async function logsOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('an event the bus keeps refusing', () => {
  it('does not block the events behind it, and is parked after MAX_PUBLISH_ATTEMPTS runs, logged and still audited', async () => {
    // the poison user's events are the oldest pending ones, with more than one PutEvents (10) behind them
    localBus(t).failing = true;
    await enrolTotp(t, t.app, 'poison');
    for (let i = 0; i < 12; i++) {
      t.clock.advanceSeconds(1);
      expect((await t.admin('POST', '/v1/users/poison/recovery-codes')).status).toBe(201);
    }
    await enrolTotp(t, t.app, 'bystander');
    const stuck = await pending();
    const poison = stuck.filter((e) => e.userId === 'poison' && e.type === 'factor.added');
    expect(poison).toHaveLength(1);
    expect(stuck.length).toBeGreaterThan(12);
    localBus(t).failing = false;
    localBus(t).refuses = (e) => (e.eventId === poison[0]!.eventId ? 'MalformedDetail' : undefined);

    // run 1: everything but the poison event goes out, once
    expect(await t.runtime.relayEvents()).toEqual({ published: stuck.length - 1, refused: 1 });
    expect((await pending()).map((e) => e.eventId)).toEqual([poison[0]!.eventId]);
    expect((await eventsOf(t, 'bystander')).map((e) => e.type).sort()).toEqual(['factor.added', 'two_factor.enabled']);
    expect((await eventsOf(t, 'poison')).filter((e) => e.type === 'recovery_codes.regenerated')).toHaveLength(12);

    // later events are not held back either
    await enrolTotp(t, t.app, 'later');
    expect((await eventsOf(t, 'later')).map((e) => e.type).sort()).toEqual(['factor.added', 'two_factor.enabled']);

    // runs 2..N-1 keep trying it; run N parks it and says so in the log
    for (let run = 2; run < MAX_PUBLISH_ATTEMPTS; run++) expect(await t.runtime.relayEvents()).toEqual({ published: 0, refused: 1 });
    const logs = await logsOf(() => t.runtime.relayEvents());
    const parkedLine = logs.find((l) => l.level === 'ERROR' && /parked/.test(String(l.message)));
    expect(parkedLine).toMatchObject({ eventId: poison[0]!.eventId, type: 'factor.added', tenantId: t.tenant.tenantId, attempts: MAX_PUBLISH_ATTEMPTS, reason: 'MalformedDetail' });
    expect(await pending()).toEqual([]);
    expect(await t.runtime.relayEvents()).toEqual({ published: 0 });

    // still findable: in the audit trail (the events table)
    const audit = await t.admin('GET', '/v1/admin/audit?userId=poison&limit=100');
    expect(audit.body.events.filter((e: { type: string }) => e.type === 'factor.added')).toHaveLength(1);
    expect((await eventsOf(t, 'poison')).filter((e) => e.type === 'factor.added')).toEqual([]);
  });

  it('an event the bus takes at the call of the action itself is not sent twice when another of the same call is refused', async () => {
    localBus(t).refuses = (e) => (e.type === 'two_factor.enabled' && e.userId === 'half' ? 'InternalFailure' : undefined);
    await enrolTotp(t, t.app, 'half');
    expect((await pending()).map((e) => e.type)).toEqual(['two_factor.enabled']);
    localBus(t).refuses = undefined;
    expect(await t.runtime.relayEvents()).toEqual({ published: 1 });
    expect((await eventsOf(t, 'half')).map((e) => e.type).sort()).toEqual(['factor.added', 'two_factor.enabled']);
  });
});

describe('a relay that cannot reach the bus', () => {
  it('fails the run, leaves the events pending and logs the failure', async () => {
    localBus(t).failing = true;
    await enrolTotp(t, t.app, 'offline');
    const logs = await logsOf(() => t.runtime.relayEvents());
    expect(logs.find((l) => l.level === 'ERROR' && /event relay failed/.test(String(l.message)))).toMatchObject({ errorName: 'Error' });
    expect((await pending()).filter((e) => e.userId === 'offline')).toHaveLength(2);
    await expect(t.runtime.relayEvents()).rejects.toThrow();
  });
});
