/**
 * One contract for every EventPublisher adapter: the local event log (in memory, and in a
 * JSON-lines file) and the EventBridge publisher over an SDK client whose bus is emulated.
 * What is published reaches the subscriber whole and in order, batch after batch; when the bus
 * does not take the events, publish throws (the caller keeps them pending).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { EventBridgePublisher, LocalEventLog } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import type { EventPublisher } from '@twofold/core';

interface Bus {
  publisher: EventPublisher;
  /** What a subscriber has received, oldest first */
  received(): SecurityEvent[];
  /** From now on the bus does not take events */
  fail(): void;
}

function localLog(file?: string): Bus {
  const log = new LocalEventLog(file);
  return { publisher: log, received: () => log.list(), fail: () => (log.failing = true) };
}

function emulatedEventBridge(): Bus {
  const client = new EventBridgeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const received: SecurityEvent[] = [];
  let failing = false;
  mockClient(client)
    .on(PutEventsCommand)
    .callsFake(({ Entries = [] }: { Entries?: { Detail?: string }[] }) => {
      if (failing) return { FailedEntryCount: Entries.length, Entries: Entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
      received.push(...Entries.map((e) => JSON.parse(e.Detail!) as SecurityEvent));
      return { FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `e-${received.length + i}` })) };
    });
  return { publisher: new EventBridgePublisher(client, 'twofold-security-events'), received: () => received, fail: () => (failing = true) };
}

const buses: [string, () => Bus][] = [
  ['LocalEventLog (memory)', () => localLog()],
  ['LocalEventLog (file)', () => localLog(join(mkdtempSync(join(tmpdir(), 'tf-events-')), 'events.jsonl'))],
  ['EventBridgePublisher', emulatedEventBridge],
];

const event = (n: number): SecurityEvent => ({
  eventId: `ev_${String(n).padStart(16, '0')}`,
  type: n % 2 ? 'device.trusted' : 'factor.added',
  tenantId: 'tn_acme',
  userId: 'alice',
  at: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
  actor: 'user',
  detail: n % 2 ? { deviceId: `d${n}` } : { factorId: `f${n}`, factorType: 'totp' },
});

describe.each(buses)('EventPublisher contract: %s', (_, make) => {
  it('delivers every event whole and in order, batch after batch', async () => {
    const bus = make();
    const first = Array.from({ length: 13 }, (_, i) => event(i));
    const second = [event(13), event(14)];
    await bus.publisher.publish(first);
    await bus.publisher.publish(second);
    expect(bus.received()).toEqual([...first, ...second]);
  });

  it('throws when the bus does not take the events', async () => {
    const bus = make();
    await bus.publisher.publish([event(1)]);
    bus.fail();
    await expect(bus.publisher.publish([event(2)])).rejects.toThrow();
    expect(bus.received()).toEqual([event(1)]);
  });
});

it('the local event log file is readable by its owner only', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tf-events-')), 'events.jsonl');
  await new LocalEventLog(file).publish([event(1)]);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});
