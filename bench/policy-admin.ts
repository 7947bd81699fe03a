/**
 * Issue 4 (policy and admin): a grace-expiry run over many users — its time and its calls, which
 * must follow the users that are due, never the tenant's size — and the admin overview's
 * latency with that many users. A hook: it measures only when the scheduled function, the admin
 * function and the overview route exist, and otherwise says what it expects of them. They are
 * loaded at run time, so the bench builds and runs before they land.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { matchRoute } from '@twofold/contract';
import { addFunction, expectStatus, invokeExpecting, prepare, type Handler } from './api';
import type { Tally } from './call-log';
import type { Harness } from './harness';
import { LegRecorder, type Leg } from './rounds';
import { forEachLimited, nowMs } from './stats';

export interface PolicyAdminOptions {
  users: number;
  overviewCalls: number;
}

export type PolicyAdminResults =
  | { status: 'skipped'; reason: string; expects: string }
  | {
      status: 'measured';
      users: number;
      seedSeconds: number;
      /** Each run: what it did (its own result), how long it took, every call it made. */
      graceRuns: { label: string; seconds: number; result: string; calls: Tally }[];
      overview: Leg;
    };

export const POLICY_ADMIN_EXPECTS =
  'functions/grace-expiry.ts exporting `handler(event, context?)` that runs the job on `dependencies()` and returns what it did ({expired, ...}); ' +
  'functions/admin.ts exporting the admin httpFunction `handler` with GET /v1/admin/overview (answering totalUsers) and PUT /v1/policy; ' +
  'PUT /v1/users/{id} putting a user without a factor in a grace period when the policy says enforcement.mode "all"';

type ScheduledHandler = (event: unknown, context?: Context) => Promise<unknown>;

const DAY_MS = 86_400_000;

export async function runPolicyAdminBench(h: Harness, root: string, options: PolicyAdminOptions, progress: (line: string) => void): Promise<PolicyAdminResults> {
  const graceFile = join(root, 'functions', 'grace-expiry.ts');
  const adminFile = join(root, 'functions', 'admin.ts');
  const missing = [graceFile, adminFile].filter((file) => !existsSync(file)).map((file) => file.slice(root.length));
  if (!matchRoute('GET', '/v1/admin/overview').route) missing.push('the overview route (GET /v1/admin/overview)');
  if (missing.length > 0) return { status: 'skipped', reason: `${missing.join(', ')}: not there yet`, expects: POLICY_ADMIN_EXPECTS };
  const grace = ((await import(pathToFileURL(graceFile).href)) as { handler: ScheduledHandler }).handler;
  addFunction('admin', ((await import(pathToFileURL(adminFile).href)) as { handler: Handler }).handler);

  const started = nowMs();
  const tenant = await h.tenant('Bench policy');
  const graceDeps = h.container();
  const runGrace = async (label: string) => {
    h.use(graceDeps);
    const mark = h.log.mark();
    const t0 = nowMs();
    const result = await grace({});
    return { label, seconds: (nowMs() - t0) / 1000, result: JSON.stringify(result), calls: h.log.tallySince(mark) };
  };

  // an admin requires two-factor of everyone: users without a factor get the grace period (7 days)
  h.use(h.setup);
  await expectStatus({ method: 'PUT', path: '/v1/policy', apiKey: tenant.adminKey, body: { enforcement: { mode: 'all' } } }, h.clock.nowMs(), 200);
  await runGrace('after the policy change, no users yet'); // its backfill, done before the users come

  const seedStart = nowMs();
  h.use(h.setup);
  const userIds = Array.from({ length: options.users }, (_, i) => `bench-policy-${String(i).padStart(5, '0')}`);
  await forEachLimited(userIds, h.setupConcurrency, async (userId) => {
    await expectStatus({ method: 'PUT', path: `/v1/users/${userId}`, apiKey: tenant.appKey, body: { email: `${userId}@example.com` } }, h.clock.nowMs(), 200);
  });
  const seedSeconds = (nowMs() - seedStart) / 1000;
  progress(`  ${options.users} users in grace seeded in ${seedSeconds.toFixed(1)} s`);

  const graceRuns = [await runGrace(`nothing due (deadlines 7 days away), ${options.users} users in grace`)];
  h.clock.advance(8 * DAY_MS);
  graceRuns.push(await runGrace(`8 days later: all ${options.users} grace periods over`));
  progress(`  grace-expiry runs: ${graceRuns.map((r) => `${r.seconds.toFixed(1)} s`).join(', ')}`);

  // the overview with that many users: a fresh admin container, warmed by one call
  const overviewCall = () => prepare({ method: 'GET', path: '/v1/admin/overview', apiKey: tenant.adminKey }, h.clock.nowMs());
  const counted = (b: { totalUsers?: number }) => (b.totalUsers ?? 0) >= options.users;
  h.use(h.container());
  const warmError = await invokeExpecting(overviewCall(), 200, counted);
  if (warmError) throw new Error(`bench: the admin overview failed: ${warmError}`);
  const overview = new LegRecorder(h.log, 1);
  await overview.round(Array.from({ length: options.overviewCalls }, overviewCall), (c) => invokeExpecting(c, 200, counted));
  progress(`  admin overview counted at ${((nowMs() - started) / 1000).toFixed(1)} s`);

  return { status: 'measured', users: options.users, seedSeconds, graceRuns, overview: overview.result() };
}
