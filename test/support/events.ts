/**
 * Security events seen as a client app's subscriber sees them, locally: `GET /_local/events`
 * (what EventBridge would get in AWS), read over HTTP. The runtime's relay timer is held still
 * (a fake setInterval) so that the test decides when the relay runs: a relay racing the
 * request's own publish could legitimately deliver an event twice (at-least-once), and the
 * tests want to count what one action emits.
 */
import { vi } from 'vitest';
import { documentClient, DynamoEventOutbox, LocalEventLog } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import { startLocalDynamo } from '@twofold/local/dynamodb-local';
import type { Api } from './api';
import { challengeFor, nextCode, startTwofold, type StartOptions, type Twofold } from './twofold';

/** Starts the local runtime with its relay timer stopped; `relayTimerTick()` makes it fire. */
export async function startTwofoldWithEvents(options: StartOptions = {}): Promise<Twofold & { relayTimerTick(): void }> {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const t = await startTwofold(options);
  return {
    ...t,
    relayTimerTick: () => vi.advanceTimersByTime(5_000),
    stop: async () => {
      await t.stop();
      vi.useRealTimers();
    },
  };
}

/** `GET /_local/events` without a key: every published event, oldest first. */
export async function publishedEvents(baseUrl: string): Promise<SecurityEvent[]> {
  const response = await fetch(`${baseUrl}/_local/events`);
  if (response.status !== 200) throw new Error(`GET /_local/events: ${response.status}`);
  return ((await response.json()) as { events: SecurityEvent[] }).events;
}

/** The published events of one user of the test's tenant, oldest first. */
export async function eventsOf(t: Pick<Twofold, 'baseUrl' | 'tenant'>, userId: string): Promise<SecurityEvent[]> {
  return (await publishedEvents(t.baseUrl)).filter((e) => e.tenantId === t.tenant.tenantId && e.userId === userId);
}

/**
 * The events emitted for `userId`, one per eventId: for a runtime whose relay timer runs (not
 * startTwofoldWithEvents), where delivery is at least once: the relay may publish an event the
 * request is still publishing (seen under load). An event emitted twice is two eventIds, and stays
 * two. Tests of delivery itself read eventsOf.
 */
export async function emittedEventsOf(t: Pick<Twofold, 'baseUrl' | 'tenant'>, userId: string): Promise<SecurityEvent[]> {
  const byId = new Map((await eventsOf(t, userId)).map((e) => [e.eventId, e]));
  return [...byId.values()];
}

/** The local bus, whose `failing` flag makes publishing throw. */
export function localBus(t: Pick<Twofold, 'runtime'>): LocalEventLog {
  const publisher = t.runtime.deps.publisher;
  if (!(publisher instanceof LocalEventLog)) throw new Error('the local runtime does not publish to a LocalEventLog');
  return publisher;
}

/** A fresh verification of `userId` (a verified TOTP challenge at the next step): the Twofold-Assertion header. */
export async function freshAssertion(t: Pick<Twofold, 'clock'>, call: Api, userId: string, secret: string): Promise<Record<string, string>> {
  const challengeId = await challengeFor(call, userId);
  const verified = await call('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, secret) });
  if (verified.status !== 200) throw new Error(`verifying ${userId}: ${verified.status} ${verified.text}`);
  return { 'twofold-assertion': verified.body.assertion };
}

/** The DynamoDB event outbox on its own in-memory dynalite, through the real SDK. */
export async function dynaliteOutbox(): Promise<{ outbox: DynamoEventOutbox; stop(): Promise<void> }> {
  const dynamo = await startLocalDynamo();
  const db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  return { outbox: new DynamoEventOutbox(db, dynamo.tableNames.events), stop: () => dynamo.stop() };
}
