/**
 * Log lines belong to their own invocation: the keys a request adds to the log (its routeKey
 * and requestId) must not stay on the lines of the next invocation in the same container — a
 * scheduled job's (the grace-period run, the event relay) above all, where they would send an
 * operator after the wrong request. The local runtime runs every function in one process, as a
 * warm container runs invocation after invocation.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { logger } from '@twofold/runtime';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
  logger.setLogLevel('INFO'); // the suite runs at WARN; these lines are INFO
});
afterAll(async () => {
  logger.setLogLevel('WARN');
  await t.stop();
});

async function logsOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

it("a scheduled job's log lines do not carry the previous request's routeKey or requestId", async () => {
  const requestLogs = await logsOf(async () => {
    expect((await t.app('GET', '/v1/users/nobody')).status).toBe(404);
  });
  const refused = requestLogs.find((l) => l.message === 'request refused');
  expect(refused).toMatchObject({ routeKey: 'GET /v1/users/{userId}', code: 'user_not_found' });

  const jobLogs = await logsOf(async () => {
    await t.runtime.runGraceExpiry();
  });
  const run = jobLogs.find((l) => l.message === 'grace-period run');
  expect(run).toBeDefined();
  expect(run).toMatchObject({ job: 'grace-expiry' });
  expect(run).not.toHaveProperty('routeKey');
  expect(run!.requestId).not.toBe(refused!.requestId);
});

it("the event relay's lines neither; and the next request logs only its own keys", async () => {
  expect((await t.app('GET', '/v1/users/nobody-else')).status).toBe(404);
  // something for the relay to say: an event left pending
  await t.runtime.deps.outbox.record([{ eventId: 'ev_pending_for_relay', type: 'policy.updated', tenantId: t.tenant.tenantId, userId: null, at: new Date(t.clock.nowMs()).toISOString(), actor: 'admin', detail: { changed: 'prompt' } }]);
  const relayLogs = await logsOf(() => t.runtime.relayEvents());
  const relayed = relayLogs.find((l) => l.message === 'relayed pending security events');
  expect(relayed).toMatchObject({ job: 'event-relay', published: 1 });
  expect(relayed).not.toHaveProperty('routeKey');

  const next = await logsOf(async () => {
    expect((await t.app('GET', '/v1/users/nobody/factors')).status).toBe(404);
  });
  const line = next.find((l) => l.message === 'request refused');
  expect(line).toMatchObject({ routeKey: 'GET /v1/users/{userId}/factors' });
  expect(line).not.toHaveProperty('job');
});
