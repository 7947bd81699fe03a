/**
 * How a container is put together: each part (a port's adapter, a shared client, a cache) is
 * made by a factory of its own (parts.ts), made once per container on first use, and may build
 * on other parts. A function wires only the parts its use cases take, so that its bundle carries
 * only their adapters; `buildDependencies` wires every part (the local runtime, tests, bench).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock, ContainerCensus, EmailSender, EventPublisher, KeyVault, Random, SmsSender, UserReader } from '@twofold/core';
import type { Config } from './config';
import type { Dependencies } from './dependencies';

/** What tests and the local runtime put in place of what the configuration would choose. */
export interface Overrides {
  clock?: Clock;
  random?: Random;
  vault?: KeyVault;
  dynamo?: DynamoDBClient;
  sms?: SmsSender;
  email?: EmailSender;
  publisher?: EventPublisher;
  /**
   * Every storage port on these adapters instead of DynamoDB's, the Idempotency-Key records too
   * (the in-process tests: the memory adapters of packages/local/src/memory-storage.ts, which pass
   * the same contract suites). Made by whoever overrides, so that no function's bundle carries them.
   */
  storage?: Storage;
}

/** The storage adapters behind the ports, for an override of all of them at once. */
export type Storage = Pick<Dependencies, 'tenants' | 'users' | 'stats' | 'grace' | 'challenges' | 'throttle' | 'devices' | 'prompts' | 'outbox' | 'apiKeys' | 'idempotencyRecords'> & {
  userReader: UserReader;
  census: ContainerCensus;
};

export type Part<T> = (wiring: Wiring) => T;

/** One container's parts: each made once, when first asked for. */
export class Wiring {
  private readonly made = new Map<Part<unknown>, unknown>();

  constructor(
    readonly config: Config,
    readonly overrides: Overrides = {},
  ) {}

  get<T>(part: Part<T>): T {
    if (!this.made.has(part)) this.made.set(part, part(this));
    return this.made.get(part) as T;
  }
}

/**
 * What a function may wire under each name the use cases take (the keys of Dependencies): what
 * the full container has, or a narrower view of it — `users` may be a reader where a function only
 * reads users. Either way the full container can stand in for a function's own (local runtime, tests).
 */
export type Views = Omit<Dependencies, 'users'> & { users: UserReader };
export type Parts = { [K in keyof Views]?: Part<Views[K]> };
export type Wired<P extends Parts> = { [K in keyof P]: P[K] extends Part<infer T> ? T : never };

/** The dependencies made of these parts, e.g. `wire({ clock, devices, outbox, publisher })`. */
export function wire<P extends Parts>(parts: P): Part<Wired<P>> {
  return (wiring) => Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, wiring.get(part as Part<unknown>)])) as Wired<P>;
}
