/**
 * Policy and admin: grace-expiry runs in a tenant of many users — their time and
 * calls, which must follow the users that are due, never the tenant's size — and the admin
 * overview's latency with that many users. Loaded at run time and measured only when the
 * scheduled function, the admin function and the overview route exist; otherwise the report
 * says what the hook expects of them.
 *
 * The tenant requires two-factor of everyone (enforcement.mode "all"): every user without a
 * factor is in a 7-day grace period. `due` users join first, the rest 5 days later, so that at
 * each run only the first group is due (reminders 2 days before, expiry after the deadline)
 * while the others wait in the deadline index beyond the job's 3-day horizon.
 *
 * Seeding 10,000 users through the API would take minutes here, so a few of each group are made
 * through the enrollment function (PUT /v1/users/{id}) and the rest are copies of those: their
 * items with the user id replaced and the grace index shard recomputed, and the tenant's
 * overview counters moved by what the real ones moved them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { keys } from '@twofold/adapters/tables';
import { matchRoute } from '@twofold/contract';
import { addFunction, expectStatus, invokeExpecting, prepare, type Handler } from './api';
import { grouped, type Tally } from './call-log';
import type { Harness } from './harness';
import { LegRecorder, type Leg } from './rounds';
import { forEachLimited, nowMs } from './stats';

export interface PolicyAdminOptions {
  users: number;
  /** How many of them are due at each run. */
  due: number;
  overviewCalls: number;
}

export interface GraceRun {
  label: string;
  seconds: number;
  /** What the job said it did. */
  result: Record<string, unknown>;
  calls: Tally;
}

export type PolicyAdminResults =
  | { status: 'skipped'; reason: string; expects: string }
  | { status: 'measured'; users: number; due: number; seedSeconds: number; graceRuns: GraceRun[]; overview: Leg };

export const POLICY_ADMIN_EXPECTS =
  'functions/grace-expiry.ts exporting `handler(event, context?)` that runs the job on `dependencies()` and returns what it did ({reminded, expired, ...}); ' +
  'functions/admin.ts exporting the admin httpFunction `handler` with GET /v1/admin/overview (answering totalUsers) and PUT /v1/policy; ' +
  'PUT /v1/users/{id} putting a user without a factor in a grace period when the policy says enforcement.mode "all"';

type ScheduledHandler = (event: unknown, context?: Context) => Promise<Record<string, unknown>>;

const DAY_MS = 86_400_000;
/** Users of each group made through the API; the rest are copies of the first of them. */
export const REAL_USERS = 8;

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
  const runGrace = async (label: string, expect: Record<string, number>): Promise<GraceRun> => {
    h.use(graceDeps);
    const mark = h.log.mark();
    const t0 = nowMs();
    const result = await grace({});
    const seconds = (nowMs() - t0) / 1000;
    const calls = h.log.tallySince(mark);
    const run = { label, seconds, result, calls: { ...calls, sequence: calls.sequence.length > 12 ? grouped(calls.sequence) : calls.sequence } };
    const wrong = Object.entries(expect).filter(([name, n]) => result[name] !== n);
    if (wrong.length > 0) throw new Error(`bench: grace-expiry run "${label}" did ${JSON.stringify(result)}, expected ${JSON.stringify(expect)}`);
    return run;
  };

  // an admin requires two-factor of everyone, through the admin function
  h.use(h.setup);
  await expectStatus({ method: 'PUT', path: '/v1/policy', apiKey: tenant.adminKey, body: { enforcement: { mode: 'all' } } }, h.clock.nowMs(), 200);
  const graceRuns = [await runGrace('after the policy change, no users yet', { expired: 0 })];

  const seedStart = nowMs();
  const ids = Array.from({ length: options.users }, (_, i) => `bench-policy-${String(i).padStart(5, '0')}`);
  await seedUsers(h, tenant, ids.slice(0, options.due));
  h.clock.advance(5 * DAY_MS);
  await seedUsers(h, tenant, ids.slice(options.due));
  const seedSeconds = (nowMs() - seedStart) / 1000;
  progress(`  ${options.users} users in grace (${options.due} due first) seeded in ${seedSeconds.toFixed(1)} s`);

  const others = options.users - options.due;
  graceRuns.push(await runGrace(`${options.due} of ${options.users} users 2 days before their deadline`, { reminded: options.due, expired: 0 }));
  h.clock.advance(2 * DAY_MS + 3_600_000);
  graceRuns.push(await runGrace(`the same ${options.due}, deadline passed (${others} not due)`, { expired: options.due }));
  graceRuns.push(await runGrace(`again at once: nothing due (${others} waiting)`, { reminded: 0, expired: 0 }));
  progress(`  grace-expiry runs: ${graceRuns.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}`);

  // the overview with that many users: a fresh admin container, warmed by one call
  const overviewCall = () => prepare({ method: 'GET', path: '/v1/admin/overview', apiKey: tenant.adminKey }, h.clock.nowMs());
  const countsEveryone = (b: { totalUsers?: number }) => b.totalUsers === options.users;
  h.use(h.container());
  const warmError = await invokeExpecting(overviewCall(), 200, countsEveryone);
  if (warmError) throw new Error(`bench: the admin overview does not count ${options.users} users: ${warmError}`);
  const overview = new LegRecorder(h.log, 1);
  await overview.round(Array.from({ length: options.overviewCalls }, overviewCall), (c) => invokeExpecting(c, 200, countsEveryone));
  progress(`  admin overview counted at ${((nowMs() - started) / 1000).toFixed(1)} s`);

  return { status: 'measured', users: options.users, due: options.due, seedSeconds, graceRuns, overview: overview.result() };
}

/** Users made now: a few through the enrollment function, the rest copied from the first of them. */
async function seedUsers(h: Harness, tenant: { tenantId: string; appKey: string }, userIds: string[]): Promise<void> {
  const { tenantId } = tenant;
  const real = userIds.slice(0, REAL_USERS);
  const before = await h.setup.stats.read(tenantId);
  h.use(h.setup);
  await forEachLimited(real, h.setupConcurrency, async (userId) => {
    await expectStatus({ method: 'PUT', path: `/v1/users/${userId}`, apiKey: tenant.appKey, body: { email: `${userId}@example.com` } }, h.clock.nowMs(), 200);
  });
  const copies = userIds.slice(real.length);
  if (copies.length === 0) return;

  // what one real user moved the counters by; the copies move them as much
  const after = await h.setup.stats.read(tenantId);
  const perUser = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, (n - (before[name] ?? 0)) / real.length]));
  if (Object.values(perUser).some((n) => !Number.isInteger(n))) throw new Error(`bench: the seeded users moved the counters unevenly: ${JSON.stringify(perUser)}`);

  const template = real[0]!;
  const table = h.dynamo.tableNames.secrets;
  const { Items = [] } = await h.setup.db.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.userPartition(tenantId, template) }, ConsistentRead: true }),
  );
  const copyFor = (userId: string) =>
    Items.map((item) => {
      const copy = JSON.parse(JSON.stringify(item).replaceAll(template, userId)) as Record<string, unknown>;
      if (typeof copy.graceKey === 'string') copy.graceKey = keys.graceShard(tenantId, userId);
      return copy;
    });
  const batches: Record<string, unknown>[][] = [];
  const all = copies.flatMap(copyFor);
  for (let i = 0; i < all.length; i += 25) batches.push(all.slice(i, i + 25));
  await forEachLimited(batches, 4, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 10) throw new Error('bench: dynalite kept items of a batch write unprocessed');
      const { UnprocessedItems } = await h.setup.db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
  await h.setup.stats.add(tenantId, Object.fromEntries(Object.entries(perUser).map(([name, n]) => [name, n * copies.length])));
}
