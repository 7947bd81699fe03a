/**
 * The EventBridge publisher makes exactly these requests: PutEvents onto the configured bus,
 * source `twofold`, detail-type the event's type, the whole event as the JSON detail, at most
 * 10 entries a call. A partial failure (FailedEntryCount > 0) throws EventsRefused naming the
 * refused entries, so that `emit` leaves them pending in the outbox (DynamoDB, on dynalite here)
 * and the relay publishes them later.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher, nodeRandom } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import { emit, relayPendingEvents } from '@twofold/core';
import { dynaliteOutbox } from '../support/events';
import { ManualClock } from '../support/fakes';

const BUS = 'twofold-security-events';

function eventBridge() {
  const client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  return { client, mock: mockClient(client), publisher: new EventBridgePublisher(client, BUS) };
}

const event = (n: number, type: SecurityEvent['type'] = 'recovery_code.used'): SecurityEvent => ({
  eventId: `ev_${String(n).padStart(16, '0')}`,
  type,
  tenantId: 'tn_acme',
  userId: 'alice',
  at: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
  actor: 'user',
  detail: { remaining: n },
});

const entriesOf = (mock: ReturnType<typeof eventBridge>['mock']) => mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);

describe('EventBridgePublisher requests', () => {
  it('puts each event on the bus with source twofold, its type as detail-type and itself as the detail', async () => {
    const { mock, publisher } = eventBridge();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }] });
    const disabled: SecurityEvent = { ...event(1, 'two_factor.disabled'), actor: 'admin', detail: {} };
    await publisher.publish([disabled, event(2)]);
    expect(mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Entries: [
          { EventBusName: BUS, Source: 'twofold', DetailType: 'two_factor.disabled', Time: new Date(disabled.at), Resources: [], Detail: JSON.stringify(disabled) },
          { EventBusName: BUS, Source: 'twofold', DetailType: 'recovery_code.used', Time: new Date(event(2).at), Resources: [], Detail: JSON.stringify(event(2)) },
        ],
      },
    ]);
    // what a rule target receives as `detail`
    expect(JSON.parse(entriesOf(mock)[0]![0]!.Detail!)).toEqual({
      eventId: disabled.eventId,
      type: 'two_factor.disabled',
      tenantId: 'tn_acme',
      userId: 'alice',
      at: disabled.at,
      actor: 'admin',
      detail: {},
    });
  });

  it('sends at most 10 entries a call (the PutEvents limit), in order', async () => {
    const { mock, publisher } = eventBridge();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const events = Array.from({ length: 25 }, (_, i) => event(i));
    await publisher.publish(events);
    const calls = entriesOf(mock);
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('throws when EventBridge refuses some entries (FailedEntryCount > 0), and when the call fails', async () => {
    const { mock, publisher } = eventBridge();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(publisher.publish([event(1), event(2)])).rejects.toMatchObject({ name: 'EventsRefused', refused: [{ eventId: event(2).eventId, reason: 'InternalFailure' }] });
    mock.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(publisher.publish([event(1)])).rejects.toThrow('Rate exceeded');
  });
});

describe('a partial failure keeps the events pending in the DynamoDB outbox', () => {
  let local: Awaited<ReturnType<typeof dynaliteOutbox>>;
  beforeAll(async () => {
    local = await dynaliteOutbox();
  });
  afterAll(() => local.stop());

  it('emit swallows the failure and records the events; the relay publishes them once EventBridge takes them', async () => {
    const { mock, publisher } = eventBridge();
    const { outbox } = local;
    const deps = { clock: new ManualClock(), random: nodeRandom, outbox, publisher };
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1 });

    await emit(deps, [
      { type: 'recovery_code.used', tenantId: 'tn_acme', userId: 'bob', detail: { remaining: 2 } },
      { type: 'recovery_codes.low', tenantId: 'tn_acme', userId: 'bob', detail: { remaining: 2 } },
    ]);
    const pending = await outbox.pending(10);
    expect(pending.map((e) => e.type).sort()).toEqual(['recovery_code.used', 'recovery_codes.low']);

    // still refused: the relay counts the refusals and keeps them
    expect(await relayPendingEvents(deps)).toEqual({ published: 0, refused: 2 });
    expect(await outbox.pending(10)).toHaveLength(2);

    mock.reset();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    expect(await relayPendingEvents(deps)).toEqual({ published: 2 });
    expect(entriesOf(mock).flat().map((e) => [e.DetailType, JSON.parse(e.Detail!).eventId])).toEqual(pending.map((e) => [e.type, e.eventId]));
    expect(await outbox.pending(10)).toEqual([]);
    expect(await relayPendingEvents(deps)).toEqual({ published: 0 });
    expect(entriesOf(mock)).toHaveLength(1);
  });
});
