/**
 * The composition root: what a container holds, and how a function gets its own. In Lambda a
 * function builds, once per container (cold start), just the parts it wires (parts.ts); the
 * local runtime, tests and bench build every part with `buildDependencies` and provide it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, Caller, CoreDeps, KeyVault } from '@twofold/core';
import { loadConfig, type Config } from './config';
import * as part from './parts';
import { wire, Wiring, type Overrides, type Part, type Parts, type Views } from './wiring';

export type { Overrides } from './wiring';

export interface Dependencies extends CoreDeps {
  config: Config;
  vault: KeyVault;
  db: DynamoDBDocumentClient;
  /** The plain client under `db`, for libraries that take one (Powertools idempotency). */
  dynamo: DynamoDBClient;
  /**
   * The client of the login's hot calls (the user's Query, the login item's write): as `dynamo`,
   * with its middleware resolved on its first call of each command and kept (cacheMiddleware), so
   * that middleware added to it after its first call is not run.
   */
  hotDynamo: DynamoDBClient;
  /** The caller's tenant and scope from the Authorization header (cached per container: see parts.ts). */
  authenticate(authorization: string | undefined): Promise<Caller | undefined>;
  apiKeys: ApiKeyStore;
  /** Drops a revoked key from this container's cache. */
  forgetApiKey(keyId: string): void;
  /** Serves one request of the tenant within its quota, or fails with tenant_rate_limited (core/tenant-quota.ts). */
  admitTenant(tenantId: string): Promise<void>;
}

/** Every part, wired: the container of the local runtime, tests and bench. */
export function buildDependencies(config: Config, overrides: Overrides = {}): Dependencies {
  // every part under its own name (the reader is a narrower view of `users`, for functions that only read users)
  const { userReader: _, ...every } = part;
  return wire(every satisfies Required<Parts>)(new Wiring(config, overrides));
}

let provided: Dependencies | undefined;
const chosen = new AsyncLocalStorage<Dependencies>();

/** For the local runtime, tests and bench: every function uses this container instead of building its own. */
export function provideDependencies(deps: Dependencies): void {
  provided = deps;
}

/**
 * Runs `invoke` (a handler's call) in this container instead of the provided one: the local
 * runtime's way to run several containers of a function in one process, as Lambda runs many.
 */
export function inContainer<T>(deps: Dependencies, invoke: () => T): T {
  return chosen.run(deps, invoke);
}

/**
 * A function's dependencies: made on first use from the environment with the function's own
 * wiring (parsing the configuration then, so that a bad setting fails the cold start loudly),
 * or the provided container (or the one inContainer chose), which has every part.
 */
export function containerOf<D extends Partial<Views>>(wiring: Part<D>): () => D {
  let own: D | undefined;
  return () => ((chosen.getStore() ?? provided) as D | undefined) ?? (own ??= wiring(new Wiring(loadConfig(process.env))));
}
