/**
 * Every storage port on the memory adapters, over one set of memory tables: what a runtime with
 * storage 'memory' puts in place of DynamoDB's adapters (runtime/src/wiring.ts, `storage`). Made
 * here, outside the runtime's parts, so that no function's bundle carries the memory adapters.
 * Each container gets adapters of its own over the shared tables, as each gets DynamoDB clients
 * of its own over one engine.
 */
import {
  MemoryApiKeyStore,
  MemoryChallengeStore,
  MemoryContainerCensus,
  MemoryDeviceStore,
  MemoryEventOutbox,
  MemoryGraceDeadlines,
  MemoryIdempotencyRecords,
  MemoryPromptStore,
  MemorySendThrottle,
  MemoryTenantDirectory,
  MemoryTenantStats,
  MemoryUserStore,
  type MemoryTables,
} from '@twofold/adapters';
import type { Storage } from '@twofold/runtime';

export function memoryStorage(tables: MemoryTables): Storage {
  const users = new MemoryUserStore(tables);
  return {
    tenants: new MemoryTenantDirectory(tables),
    users,
    userReader: users,
    stats: new MemoryTenantStats(tables),
    grace: new MemoryGraceDeadlines(tables),
    challenges: new MemoryChallengeStore(tables),
    throttle: new MemorySendThrottle(tables),
    devices: new MemoryDeviceStore(tables),
    prompts: new MemoryPromptStore(tables),
    outbox: new MemoryEventOutbox(tables),
    census: new MemoryContainerCensus(tables),
    apiKeys: new MemoryApiKeyStore(tables),
    idempotencyRecords: new MemoryIdempotencyRecords(tables),
  };
}
