/**
 * How a container is put together: each part (a port's adapter, a shared client, a cache) is
 * made by a factory of its own (parts.ts), made once per container on first use, and may build
 * on other parts. A function wires only the parts its use cases take, so that its bundle carries
 * only their adapters; `buildDependencies` wires every part (the local runtime, tests, bench).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock, EmailSender, EventPublisher, KeyVault, Random, SmsSender } from '@twofold/core';
import type { Config } from './config';
import type { Dependencies } from './container';

/** What tests and the local runtime put in place of what the configuration would choose. */
export interface Overrides {
  clock?: Clock;
  random?: Random;
  vault?: KeyVault;
  dynamo?: DynamoDBClient;
  sms?: SmsSender;
  email?: EmailSender;
  publisher?: EventPublisher;
}

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

/** Parts under the names the use cases take them by (the keys of Dependencies). */
export type Parts = { [K in keyof Dependencies]?: Part<Dependencies[K]> };
export type Wired<P extends Parts> = { [K in keyof P]: P[K] extends Part<infer T> ? T : never };

/** The dependencies made of these parts, e.g. `wire({ clock, devices, outbox, publisher })`. */
export function wire<P extends Parts>(parts: P): Part<Wired<P>> {
  return (wiring) => Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, wiring.get(part as Part<unknown>)])) as Wired<P>;
}
