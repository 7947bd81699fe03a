/**
 * A publishing failure never loses an event. With the bus failing, the action still succeeds
 * and its event waits in the outbox; the relay fails too and the event stays; once the bus
 * works, the relay publishes it exactly once (the same eventId and time), and relaying again
 * publishes nothing. The local runtime's relay timer does the same on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@twofold/contract';
import { enrolTotp, type Twofold } from '../support/twofold';
import { eventsOf, freshAssertion, localBus, startTwofoldWithEvents } from '../support/events';

let t: Twofold & { relayTimerTick(): void };
beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
});
afterAll(() => t?.stop());

const pending = () => t.runtime.deps.outbox.pending(100);

describe('the bus fails when two-factor is disabled', () => {
  let waiting: SecurityEvent;

  it('the disable still succeeds, and two_factor.disabled waits in the outbox unpublished', async () => {
    const { secret } = await enrolTotp(t, t.app, 'walt');
    const fresh = await freshAssertion(t, t.app, 'walt', secret);
    localBus(t).failing = true;

    expect((await t.app('DELETE', '/v1/users/walt/two-factor', undefined, { headers: fresh })).status).toBe(204);

    expect((await t.app('GET', '/v1/users/walt')).body.status).toBe('not_started');
    expect((await eventsOf(t, 'walt')).map((e) => e.type)).toEqual(['factor.added', 'two_factor.enabled']);
    const stuck = await pending();
    expect(stuck).toEqual([expect.objectContaining({ type: 'two_factor.disabled', tenantId: t.tenant.tenantId, userId: 'walt', actor: 'user' })]);
    waiting = stuck[0]!;
  });

  it('while the bus still fails, the relay fails and the event stays pending', async () => {
    await expect(t.runtime.relayEvents()).rejects.toThrow();
    expect(await pending()).toEqual([waiting]);
  });

  it('once the bus works, the relay publishes it exactly once; relaying again publishes nothing', async () => {
    localBus(t).failing = false;
    expect(await t.runtime.relayEvents()).toEqual({ published: 1 });
    expect(await t.runtime.relayEvents()).toEqual({ published: 0 });
    expect(await pending()).toEqual([]);
    expect((await eventsOf(t, 'walt')).filter((e) => e.type === 'two_factor.disabled')).toEqual([waiting]);
    // still in the audit trail after publishing
    expect((await t.runtime.deps.outbox.list(t.tenant.tenantId, { userId: 'walt', limit: 10 })).events.map((e) => e.eventId)).toContain(waiting.eventId);
  });
});

describe('more pending events than one PutEvents takes (10)', () => {
  it('12 regenerations with the bus failing: all 12 succeed, and one relay run publishes all 12 once', async () => {
    await enrolTotp(t, t.app, 'xia');
    localBus(t).failing = true;
    for (let i = 0; i < 12; i++) {
      t.clock.advanceSeconds(1);
      expect((await t.admin('POST', '/v1/users/xia/recovery-codes')).status).toBe(201);
    }
    const stuck = await pending();
    expect(stuck).toHaveLength(12);
    expect(stuck.map((e) => e.at)).toEqual([...stuck.map((e) => e.at)].sort()); // oldest first

    localBus(t).failing = false;
    expect(await t.runtime.relayEvents()).toEqual({ published: 12 });
    const published = (await eventsOf(t, 'xia')).filter((e) => e.type === 'recovery_codes.regenerated');
    expect(published.map((e) => e.eventId)).toEqual(stuck.map((e) => e.eventId));
  });
});

describe('the local relay timer', () => {
  it('publishes what enrolment could not, on its next tick; the user got the recovery codes all the same', async () => {
    localBus(t).failing = true;
    const { recoveryCodes } = await enrolTotp(t, t.app, 'yves');
    expect(recoveryCodes).toHaveLength(8);
    expect(await eventsOf(t, 'yves')).toEqual([]);

    localBus(t).failing = false;
    t.relayTimerTick();
    for (let tries = 0; tries < 100 && (await pending()).length > 0; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    // the two events share their time; the relay does not promise their order
    expect((await eventsOf(t, 'yves')).map((e) => e.type).sort()).toEqual(['factor.added', 'two_factor.enabled']);
  });
});
