/**
 * The deployment twin (`npm run twin`): the synthesized CloudFormation template run on this
 * machine. Routes come from its AWS::ApiGatewayV2 resources, each function from its own asset
 * (the bundle `cdk deploy` uploads) in containers of its own with exactly the template's
 * environment, the schedules from its rules, the tables from its table definitions; and every AWS
 * call a function makes is evaluated against its role's policies before it reaches a local
 * stand-in (./aws-gateway.ts). The `/_local/*` routes, the banner and local.json are npm start's.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createTenant, ensureSigningKey, type Clock, type GraceRunResult } from '@twofold/core';
import type { TenantQuota } from '@twofold/contract/schemas';
import { KmsKeyVault, LocalEventLog, LocalSmsOutbox, systemClock } from '@twofold/adapters';
import { buildDependencies, loadConfig } from '@twofold/runtime';
import { toApiGatewayEvent } from '../api-gateway-event';
import { startLocalDynamo, createMissingTables, type LocalEngine } from '../dynamodb-local';
import { readOutbox, startSesEmulator } from '../outbox';
import { listen, localEndpoint, readBody, send, type LocalRuntime } from '../runtime';
import { readAssembly, TWIN_ACCOUNT, TWIN_REGION, type TwinDeployment, type TwinFunction } from './assembly';
import { startAwsGateway, type AwsGateway, type Caller } from './aws-gateway';
import { FunctionPool, type InvokeOutcome } from './containers';
import { TwinKms } from './kms';
import { matchTemplateRoute } from './routes';

export interface TwinOptions {
  /** The cloud assembly to run (a `cdk synth` output directory). */
  assembly: string;
  port?: number;
  host?: string;
  /** Where the data, the twin's key material and the functions' logs live; in memory when omitted (tests). */
  dataDir?: string;
  engine?: LocalEngine;
  dynamoEndpoint?: string;
  clock?: Clock;
  /** false: the schedules run only when asked (`POST /_local/schedules/<name>`), not on their rates. */
  scheduleTimers?: boolean;
  /** false: no stage throttling (the template's rate and burst apply otherwise). */
  stageThrottle?: boolean;
  /** Each line a function prints, with its name (default: its log file, or memory without a data directory). */
  onFunctionLog?: (fn: string, line: string) => void;
  /** One line per request (npm run twin prints them, as npm start does). */
  logRequest?: (line: string) => void;
  /** Each denied AWS call, on one line (default: standard error). */
  onDenied?: (line: string) => void;
}

export interface Twin extends LocalRuntime {
  deployment: TwinDeployment;
  gateway: AwsGateway;
  /** The functions' containers, by function name. */
  pools: Map<string, FunctionPool>;
  /** What the functions printed (without a data directory), oldest first. */
  logs(): { fn: string; line: string }[];
  /** Runs a schedule's function now, by the schedule's name. */
  runSchedule(name: string): Promise<unknown>;
  /** Replaces a function's role policies from now on, and stops its containers (the next call is a cold start): the mutation check's lever. */
  setPolicies(name: string, policies: TwinFunction['policies']): Promise<void>;
}

const OPERATOR_KEY = 'AKIATWINOPERATOR0000';

/** Each function's own access key: the gateway knows the caller by it, as IAM knows a role's session. */
const accessKeyOf = (fn: TwinFunction) => `ASIATWIN${createHash('sha256').update(fn.functionName).digest('hex').slice(0, 12).toUpperCase()}`;

const isStructuredResult = (r: unknown): r is APIGatewayProxyStructuredResultV2 => typeof r === 'object' && r !== null && 'statusCode' in r && typeof r.statusCode === 'number';

/** The API Gateway answer for an invocation (HTTP API, payload 2.0). */
function gatewayAnswer(outcome: InvokeOutcome): APIGatewayProxyStructuredResultV2 {
  const plain = (statusCode: number, message: string) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  switch (outcome.kind) {
    case 'result': {
      const r = outcome.result;
      if (isStructuredResult(r)) return r;
      // a result without statusCode is a 200 with the result as its JSON body
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: r === null ? '' : typeof r === 'string' ? r : JSON.stringify(r) };
    }
    case 'timeout':
      return plain(503, 'Service Unavailable');
    case 'throttled':
      return plain(429, 'Too Many Requests');
    default:
      return plain(500, 'Internal Server Error');
  }
}

/** `rate(5 minutes)` in milliseconds; undefined for a cron expression (run on demand only). */
function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return undefined;
  const unit = m[2]?.startsWith('minute') ? 60_000 : m[2]?.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/** A token bucket with the stage's rate and burst (HTTP API throttling, all routes together). */
function stageBucket(throttle: TwinDeployment['throttle'], clock: Clock) {
  if (!throttle) return () => true;
  let tokens = throttle.burst;
  let at = clock.nowMs();
  return () => {
    const now = Math.max(at, clock.nowMs());
    tokens = Math.min(throttle.burst, tokens + ((now - at) / 1000) * throttle.ratePerSecond);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export async function startTwin(options: TwinOptions): Promise<Twin> {
  const clock = options.clock ?? systemClock;
  const dataDir = options.dataDir;
  if (dataDir) mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  // in memory (tests) the generated names get a suffix of their own, as CloudFormation's do: twins can share an engine
  const deployment = readAssembly(options.assembly, dataDir ? {} : { generatedNameSuffix: `-${randomBytes(4).toString('hex')}` });
  const engine = options.engine ?? 'dynalite';
  const dynamo = await startLocalDynamo({
    tables: false,
    ...(options.dynamoEndpoint ? { endpoint: options.dynamoEndpoint } : dataDir ? { engine, path: join(dataDir, `twin-${engine}`) } : options.engine ? { engine } : {}),
  });
  await createMissingTables(dynamo.endpoint, deployment.tables.map((t) => ({ TableName: t.name, ...t.definition })));
  const ses = await startSesEmulator();
  const kms = new TwinKms(deployment.keys, dataDir ? join(dataDir, 'twin-kms.json') : undefined);
  const sms = new LocalSmsOutbox(clock, dataDir ? join(dataDir, 'twin-sms-outbox.jsonl') : undefined);
  const eventLog = new LocalEventLog(dataDir ? join(dataDir, 'twin-events.jsonl') : undefined);

  const memoryLogs: { fn: string; line: string }[] = [];
  const onFunctionLog =
    options.onFunctionLog ??
    ((fn: string, line: string) => {
      if (dataDir) appendFileSync(join(dataDir, 'logs', `${fn}.log`), line + '\n', { mode: 0o600 });
      else memoryLogs.push({ fn, line });
      // an error a function logs is worth a line on the console, as a CloudWatch alarm would be
      if (/"level":"ERROR"|Runtime\.|"errorType"/.test(line) && !options.onFunctionLog) console.error(`[${fn}] ${line.slice(0, 500)}`);
    });

  const callers = new Map<string, Caller>([[OPERATOR_KEY, { kind: 'operator' }]]);
  const principals = new Map(deployment.functions.map((fn) => [fn.name, { arn: fn.roleArn, policies: fn.policies }]));
  for (const fn of deployment.functions) callers.set(accessKeyOf(fn), { kind: 'function', name: fn.name, principal: principals.get(fn.name) ?? { arn: fn.roleArn, policies: fn.policies } });
  const gateway = await startAwsGateway({
    deployment,
    callers,
    dynamoEndpoint: dynamo.endpoint,
    kms,
    sms,
    events: eventLog,
    sesEndpoint: ses.endpoint,
    onDenied: options.onDenied ?? ((line) => console.error(`twin: ${line}`)),
  });

  const pools = new Map<string, FunctionPool>();
  for (const fn of deployment.functions) {
    pools.set(fn.functionName, new FunctionPool({ fn, credentials: { accessKeyId: accessKeyOf(fn), secretAccessKey: randomBytes(20).toString('hex') }, awsEndpoint: gateway.endpoint, log: (line) => onFunctionLog(fn.name, line), frozenClock: options.clock !== undefined }));
  }
  const poolOf = (functionName: string) => {
    const pool = pools.get(functionName);
    if (!pool) throw new Error(`the template names no function ${functionName}`);
    return pool;
  };

  // the operator's view of the deployment (what `npm run tenant:create` is in AWS): the same tables and key, no IAM
  const template = deployment.functions.find((f) => f.environment.TWOFOLD_DIRECTORY_TABLE)?.environment ?? {};
  const key = deployment.keys[0];
  if (!key) throw new Error('the template has no KMS key');
  const config = loadConfig({
    ...template,
    TWOFOLD_DYNAMODB_ENDPOINT: dynamo.endpoint,
    TWOFOLD_KEY_VAULT: 'kms',
    TWOFOLD_KMS_KEY_ID: key.arn,
    TWOFOLD_EVENT_BUS: deployment.buses[0]?.name ?? 'default',
    TWOFOLD_SMS_SENDER: 'local',
    TWOFOLD_EMAIL_SENDER: 'ses',
    TWOFOLD_EMAIL_FROM: deployment.functions.map((f) => f.environment.TWOFOLD_EMAIL_FROM).find(Boolean) ?? 'Twofold <no-reply@twofold.local>',
    TWOFOLD_SES_ENDPOINT: ses.endpoint,
    AWS_REGION: TWIN_REGION,
  });
  const operatorKms = new KMSClient({ endpoint: gateway.endpoint, region: TWIN_REGION, credentials: { accessKeyId: OPERATOR_KEY, secretAccessKey: 'operator' } });
  const deps = buildDependencies(config, { clock, vault: new KmsKeyVault(operatorKms, key.arn), publisher: eventLog, sms });
  const newTenant = (name: string, quota?: TenantQuota) => createTenant({ tenants: deps.tenants, vault: deps.vault, random: deps.random, clock }, { name, ...(quota ? { quota } : {}) });
  // as the operator's tenant CLI would have: the functions only read the signing key
  await ensureSigningKey({ signingKeys: deps.tenants, vault: deps.vault, random: deps.random, clock });

  const runSchedule = async (name: string) => {
    const schedule = deployment.schedules.find((s) => s.name === name);
    if (!schedule) throw new Error(`the template has no schedule ${name}`);
    const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: TWIN_ACCOUNT, time: new Date(clock.nowMs()).toISOString(), region: TWIN_REGION, resources: [schedule.ruleArn], detail: {} };
    const outcome = await poolOf(schedule.functionName).invoke(event, clock.nowMs());
    if (outcome.kind !== 'result') throw new Error(`schedule ${name}: the function failed (${outcome.kind}${outcome.kind === 'error' ? `: ${outcome.errorType}` : ''})`);
    return outcome.result;
  };
  const timers = (options.scheduleTimers ?? true)
    ? deployment.schedules.flatMap((s) => {
        const every = rateMs(s.expression);
        if (every === undefined) return [];
        const timer = setInterval(() => void runSchedule(s.name).catch((e: unknown) => console.error(`twin: ${e instanceof Error ? e.message : String(e)}`)), every);
        timer.unref();
        return [timer];
      })
    : [];

  const endpoints = {
    newTenant,
    outbox: () => readOutbox(sms, ses),
    events: () => eventLog.list(),
    schedules: Object.fromEntries(deployment.schedules.map((s) => [s.name, () => runSchedule(s.name)])),
  };
  const admit = options.stageThrottle === false ? () => true : stageBucket(deployment.throttle, clock);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (body === undefined) return send(res, { statusCode: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Request Entity Too Large' }) });
    const local = await localEndpoint(req, url, body, endpoints);
    if (local) return send(res, local);
    const match = matchTemplateRoute(deployment.routes, (req.method ?? 'GET').toUpperCase(), url.pathname);
    if (!match) return send(res, { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) });
    if (!admit()) return send(res, { statusCode: 429, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Too Many Requests' }) });
    const event = toApiGatewayEvent(req, url, body, { routeKey: match.route.routeKey, ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}) }, clock.nowMs());
    return send(res, gatewayAnswer(await poolOf(match.route.functionName).invoke(event, clock.nowMs())));
  }

  const { server, baseUrl } = await listen(handle, options);

  return {
    baseUrl,
    dynamo: options.dynamoEndpoint ?? `${engine} (embedded, its own process), tables from the template`,
    deps,
    deployment,
    gateway,
    pools,
    createTenant: newTenant,
    outbox: endpoints.outbox,
    events: endpoints.events,
    logs: () => [...memoryLogs],
    runSchedule,
    async setPolicies(name, policies) {
      const fn = deployment.functions.find((f) => f.name === name);
      const principal = principals.get(name);
      if (!fn || !principal) throw new Error(`the template names no function ${name}`);
      principal.policies = policies;
      await poolOf(fn.functionName).stop();
    },
    relayEvents: async () => (await runSchedule('event-relay')) as { published: number },
    runGraceExpiry: async () => (await runSchedule('grace-expiry')) as GraceRunResult,
    async stop() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((p) => p.stop()));
      deps.db.destroy();
      operatorKms.destroy();
      await gateway.stop();
      await Promise.all([dynamo.stop(), ses.stop()]);
    },
  };
}
