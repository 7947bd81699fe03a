/**
 * A tenant over its request quota gets 429 tenant_rate_limited with Retry-After, and another
 * tenant is not affected: two tenants with 20 requests/s, burst 40; one floods at 10× (200/s)
 * for 5 s while the other runs at half its quota. The flooder is served at most 20 × 5 + 40
 * (+25 %) and the neighbour every request; with one container of each function and with three
 * (each its own buckets, the quota shared out by the census of containers: core/tenancy/tenant-quota.ts).
 * Real time (the quota refills by the clock) and DynamoDB Local. The two floods (1 and 3
 * containers, each on a runtime and tenants of its own) run at the same time: the 5 s windows
 * overlap instead of following each other, and each bound is over the time its own flood took to
 * be answered, so the extra load of the other only widens it by the refill it really got.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { api, type Api } from '../support/api';

const QUOTA = { requestsPerSecond: 20, burst: 40 };
const SECONDS = 5;
const FLOOD_PER_SECOND = 10 * QUOTA.requestsPerSecond;
const NEIGHBOUR_PER_SECOND = QUOTA.requestsPerSecond / 2;
/**
 * The bucket refills while requests are admitted: 20 × 5 + 40 (+25 %) when the flood is answered
 * within its 5 s; on a loaded machine the last requests are admitted later, and the bound is over
 * the time from the first request sent to the last answer (as bench/tenants.ts reports it).
 */
const boundOver = (seconds: number) => (QUOTA.requestsPerSecond * Math.max(SECONDS, seconds) + QUOTA.burst) * 1.25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` calls spread evenly over `seconds`, fired on time whether or not the earlier ones were answered; and how long until the last answer. */
async function paced(call: () => Promise<{ status: number; retryAfter: string | null; code: unknown }>, count: number, seconds: number) {
  const startedMs = performance.now();
  let lastAnswerMs = startedMs;
  const pending: Promise<{ status: number; retryAfter: string | null; code: unknown }>[] = [];
  for (let i = 0; i < count; i++) {
    const dueMs = startedMs + (i * seconds * 1000) / count;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    pending.push(
      call().then((r) => {
        lastAnswerMs = performance.now();
        return r;
      }),
    );
  }
  const answers = await Promise.all(pending);
  return Object.assign(answers, { answeredSeconds: (lastAnswerMs - startedMs) / 1000 });
}

const getPolicy = (client: Api) => async () => {
  const r = await client('GET', '/v1/policy');
  return { status: r.status, retryAfter: r.headers.get('retry-after'), code: r.body?.error?.code };
};

let runtime: LocalRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe('tenant quota', () => {
  it.concurrent.each([1, 3])(
    'with %i container(s) of each function: serves the flooder at most its quota and burst (+25 %), 429 tenant_rate_limited with Retry-After, and the neighbour every request',
    async (containers) => {
      // a runtime of its own, stopped by this test (the two run at once)
      const own = await startLocalRuntime({ port: 0, graceTimer: false, containers });
      try {
        await floodAndCheck(own, containers);
      } finally {
        await own.stop();
      }
    },
    120_000,
  );
});

/** One flood and its checks, on `runtime` with tenants of its own. */
async function floodAndCheck(runtime: LocalRuntime, containers: number): Promise<void> {
  const { baseUrl } = runtime;
  const tenants = await Promise.all(
    ['Flooder', 'Neighbour'].map(async (name) => {
      const r = await fetch(`${baseUrl}/_local/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, quota: QUOTA }) });
      expect(r.status).toBe(201);
      return ((await r.json()) as { appKey: string }).appKey;
    }),
  );
  const flooder = api(baseUrl, tenants[0]);
  const neighbour = api(baseUrl, tenants[1]);
  // every container serves both tenants in two seconds before the flood, as warm containers
  // of a deployment do (docs/operations.md: the bound for containers that start together is wider)
  for (let round = 0; round < 3; round++) {
    for (const client of [flooder, neighbour]) for (let i = 0; i < containers; i++) expect((await client('GET', '/v1/policy')).status).toBe(200);
    await sleep(1_100);
  }

  const [flood, calm] = await Promise.all([
    paced(getPolicy(flooder), FLOOD_PER_SECOND * SECONDS, SECONDS),
    paced(getPolicy(neighbour), NEIGHBOUR_PER_SECOND * SECONDS, SECONDS),
  ]);

  const served = flood.filter((r) => r.status === 200).length;
  const refused = flood.filter((r) => r.status === 429);
  // nothing else: each request is either served or refused for the quota
  expect(served + refused.length).toBe(flood.length);
  const bound = boundOver(flood.answeredSeconds);
  expect(served).toBeLessThanOrEqual(bound);
  // it is served about its quota, not starved (the machine is shared: a generous floor)
  expect(served).toBeGreaterThanOrEqual(QUOTA.requestsPerSecond * SECONDS * 0.5);
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) {
    expect(r.code).toBe('tenant_rate_limited');
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
  }
  expect(calm.map((r) => r.status)).toEqual(calm.map(() => 200));
  console.info(`containers ${containers}: flooder served ${served} of ${flood.length} (bound ${bound}, answered in ${flood.answeredSeconds.toFixed(1)} s), neighbour ${calm.length} of ${calm.length}`);
}

it('POST /_local/tenants refuses a quota that is not whole positive numbers', async () => {
  runtime = await startLocalRuntime({ port: 0, graceTimer: false });
  const r = await fetch(`${runtime.baseUrl}/_local/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bad', quota: { requestsPerSecond: 0, burst: 1.5 } }) });
  expect(r.status).toBe(400);
  const body = (await r.json()) as { error: { code: string; details: { path: string }[] } };
  expect(body.error.code).toBe('invalid_request');
  expect(body.error.details.map((d) => d.path).sort()).toEqual(['body.quota.burst', 'body.quota.requestsPerSecond']);
}, 60_000);
