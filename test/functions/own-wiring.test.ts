/**
 * Each Lambda function on its own wiring, as in AWS: configured from the environment only (no
 * container provided, as the local runtime and the other tests do), talking to dynalite through
 * the real SDK client. A use case that needs a part its function does not wire fails here with
 * a 500, not in production. One pass through every function: enrol, log in, devices, a fresh
 * verification, the admin API, the public keys, and both scheduled jobs. Twice: from the source,
 * and as Lambda runs them — each the stack's own asset, as the run's `cdk synth` built it
 * (test/support/twin-assembly.ts, once per state of the sources: bundleFunction of
 * infra/bundling.ts, the AWS SDK bundled into the function, code split into an entry and chunks)
 * in a directory of its own without node_modules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoTenantDirectory, documentClient, LocalKeyVault, nodeRandom, systemClock } from '@twofold/adapters';
import { matchRoute, routeKeyOf } from '@twofold/contract';
import { createTenant, type NewTenant } from '@twofold/core';
import { startLocalDynamo, type LocalDynamo } from '@twofold/local/dynamodb-local';
import type { HttpEvent } from '@twofold/runtime';
import { readAssembly } from '@twofold/local/twin/assembly';
import { oathtool } from '../support/authenticator';
import { twinAssembly } from '../support/twin';

/** The functions of the run's cloud assembly: each one's asset directory and handler. */
const assets = readAssembly(twinAssembly()).functions;

type Handler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const context = { functionName: 'own-wiring', awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

let dynamo: LocalDynamo;
let dir: string;
let tenant: NewTenant;
let handlers: Record<string, Handler> = {};
let graceExpiry: (event: unknown, context: Context) => Promise<{ complete: boolean }>;
let eventRelay: () => Promise<{ published: number }>;
const httpFunctions = ['public', 'enrollment', 'challenge', 'verify', 'devices', 'admin', 'docs'] as const;

/** A function's module: its source, or its bundle built as the stack builds it, alone in a directory. */
async function load(fn: string, from: 'source' | 'bundle'): Promise<Record<string, unknown>> {
  if (from === 'source') return (await import(`../../functions/${fn}`)) as Record<string, unknown>;
  // the entry and its chunks, as the stack's asset holds them (infra/bundling.ts: code splitting);
  // the synth built them already, with the stack's options: no need to build them a second time
  const asset = assets.find((f) => f.name === fn);
  if (!asset) throw new Error(`the assembly has no function ${fn}`);
  return (await import(pathToFileURL(join(asset.codeDirectory, `${asset.handler.split('.')[0] ?? 'index'}.mjs`)).href)) as Record<string, unknown>;
}

async function loadAll(from: 'source' | 'bundle') {
  handlers = {};
  for (const fn of httpFunctions) handlers[fn] = (await load(fn, from)).handler as Handler;
  graceExpiry = (await load('grace-expiry', from)).handler as typeof graceExpiry;
  eventRelay = (await load('event-relay', from)).handler as typeof eventRelay;
}

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  dir = mkdtempSync(join(tmpdir(), 'twofold-wiring-'));
  const keyFile = join(dir, 'master.key');
  Object.assign(process.env, {
    ...dynamo.environment,
    TWOFOLD_EVENT_LOG_FILE: join(dir, 'events.jsonl'),
    TWOFOLD_KEY_VAULT: 'local',
    TWOFOLD_LOCAL_KEY_FILE: keyFile,
    TWOFOLD_SMS_SENDER: 'local',
    TWOFOLD_SMS_OUTBOX_FILE: join(dir, 'sms.jsonl'),
    AWS_REGION: 'local',
  });
  const db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  tenant = await createTenant(
    { tenants: new DynamoTenantDirectory(db, dynamo.tableNames.directory), vault: LocalKeyVault.fromFile(keyFile, nodeRandom), random: nodeRandom, clock: systemClock },
    { name: 'Wired Co' },
  );
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Routes a request as API Gateway does and calls the function that owns the route (which checks the API key itself). */
async function call(key: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const [rawPath, rawQuery = ''] = path.split('?');
  const match = matchRoute(method, rawPath!);
  if (!match.route) throw new Error(`no route ${method} ${path}`);
  const allHeaders: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers };
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  const event = {
    version: '2.0',
    routeKey: routeKeyOf(match.route),
    rawPath,
    rawQueryString: rawQuery,
    headers: allHeaders,
    ...(rawQuery ? { queryStringParameters: query } : {}),
    pathParameters: match.pathParameters,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
    requestContext: { requestId: 'r', routeKey: routeKeyOf(match.route), http: { method, path: rawPath, sourceIp: '192.0.2.1' } },
  } as unknown as HttpEvent;
  const result = await handlers[match.route.fn]!(event, context);
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined };
}

describe.each([
  ['source', 1],
  ['bundle', 2],
] as const)('every function on its own wiring, from its %s', (from, users) => {
  it('enrol, log in, list devices, remove a factor with a fresh assertion, use the admin API, publish keys, run the schedules: never a 5xx', async () => {
    await loadAll(from);
    const wes = `wes-${from}`;
    const statuses: string[] = [];
    const ok = async (expected: number, ...args: Parameters<typeof call>) => {
      const r = await call(...args);
      statuses.push(`${args[1]} ${args[2]} → ${r.status}`);
      expect(r.status, `${args[1]} ${args[2]}: ${JSON.stringify(r.body)}`).toBe(expected);
      return r.body;
    };
    const { appKey, adminKey } = tenant;
    await ok(200, undefined, 'GET', '/health');
    await ok(200, undefined, 'GET', '/openapi.json');
    await ok(200, appKey, 'PUT', `/v1/users/${wes}`, { roles: ['admin'], email: 'wes@example.com' });
    const started = await ok(201, appKey, 'POST', `/v1/users/${wes}/factors`, { type: 'totp' });
    const confirmed = await ok(200, appKey, 'POST', `/v1/users/${wes}/factors/${started.factorId}/verify`, { code: await oathtool(started.secret, Date.now()) });
    expect(confirmed.recoveryCodes).toHaveLength(8);
    await ok(200, appKey, 'GET', `/v1/users/${wes}`);

    const challenge = await ok(201, appKey, 'POST', `/v1/users/${wes}/challenges`, {});
    await ok(200, appKey, 'GET', `/v1/challenges/${challenge.challengeId}`);
    const verified = await ok(200, appKey, 'POST', `/v1/challenges/${challenge.challengeId}/verify`, { recoveryCode: confirmed.recoveryCodes[0], rememberDevice: true });
    expect(verified.assertion).toBeTruthy();
    await ok(200, undefined, 'GET', '/.well-known/jwks.json');
    await ok(200, appKey, 'GET', `/v1/users/${wes}/devices`);
    await ok(200, appKey, 'GET', `/v1/users/${wes}/recovery-codes`, undefined, { 'twofold-assertion': verified.assertion });

    await ok(200, adminKey, 'PUT', '/v1/policy', { enforcement: { mode: 'roles', roles: ['admin'] } });
    await ok(200, appKey, 'GET', '/v1/policy');
    const overview = await ok(200, adminKey, 'GET', '/v1/admin/overview');
    expect(overview).toMatchObject({ totalUsers: users, enrolled: 1 });
    await ok(200, adminKey, 'GET', '/v1/admin/users?status=enrolled');
    await ok(204, adminKey, 'POST', `/v1/admin/users/${wes}/unlock`);
    const regenerated = await ok(201, adminKey, 'POST', `/v1/admin/users/${wes}/recovery-codes`);
    await ok(200, adminKey, 'GET', `/v1/admin/audit?userId=${wes}`);

    // the login's assertion was spent on the codes (and new codes moved the epoch): a new login for the removal
    const again = await ok(201, appKey, 'POST', `/v1/users/${wes}/challenges`, {});
    const fresh = await ok(200, appKey, 'POST', `/v1/challenges/${again.challengeId}/verify`, { recoveryCode: regenerated.recoveryCodes[0] });
    await ok(204, appKey, 'DELETE', `/v1/users/${wes}/factors/${started.factorId}`, undefined, { 'twofold-assertion': fresh.assertion });
    await ok(204, adminKey, 'POST', `/v1/admin/users/${wes}/reset`);
    await ok(204, appKey, 'DELETE', `/v1/users/${wes}/devices`);

    expect((await graceExpiry({}, context)).complete).toBe(true);
    expect(typeof (await eventRelay()).published).toBe('number');
    expect(statuses.length).toBeGreaterThan(20);
  }, 120_000);
});
