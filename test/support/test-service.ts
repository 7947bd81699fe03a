/**
 * The service in-process on the memory adapters (better-auth's `getTestInstance`, for Twofold):
 * the same local runtime, functions, middleware and use cases as startTwofold(), over HTTP on
 * loopback, with every storage port in memory instead of on DynamoDB Local. The memory adapters
 * pass the same contract suites as the DynamoDB ones (test/adapters/*.contract.test.ts), so a
 * use-case test here proves what it proves there; races, faults and the engines' own behaviour
 * stay on DynamoDB Local (startTwofold), pages in Chromium.
 */
import { startLocalRuntime } from '@twofold/local/runtime';
import { api } from './api';
import { ManualClock } from './fakes';
import { stillClockQuota, type Twofold } from './twofold';

export interface TestServiceOptions {
  clock?: ManualClock;
  tenantName?: string;
}

export async function testService(options: TestServiceOptions = {}): Promise<Twofold> {
  const clock = options.clock ?? new ManualClock();
  const runtime = await startLocalRuntime({ port: 0, clock, graceTimer: false, tenantQuota: stillClockQuota, storage: 'memory' });
  const tenant = await runtime.createTenant(options.tenantName ?? 'Acme Corp');
  return {
    runtime,
    baseUrl: runtime.baseUrl,
    clock,
    tenant,
    app: api(runtime.baseUrl, tenant.appKey),
    admin: api(runtime.baseUrl, tenant.adminKey),
    anon: api(runtime.baseUrl),
    stop: () => runtime.stop(),
  };
}
