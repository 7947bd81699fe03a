/**
 * The local runtime: a DynamoDB engine in a process of its own (./dynamodb-local.ts), the local key vault, and an HTTP
 * server that routes with the route table exactly as API Gateway does (the function that owns
 * the route, `$default` for the rest) and calls the same Lambda handlers. Each function checks
 * the API key itself, as in AWS; the container is shared, so a revoked key stops working at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { matchRoute, routeKeyOf, type RoutedFunction } from '@twofold/contract';
import { createTenant, ensureSigningKey, type Clock, type GraceRunResult, type EmailSender, type NewTenant, type SendLimits, type SmsSender } from '@twofold/core';
import { LocalEventLog, LocalKeyVault, LocalSmsOutbox, MemoryTables, nodeRandom, systemClock, tables, type TableNames } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import { TenantQuota } from '@twofold/contract/schemas';
import { buildDependencies, errorResponse, inContainer, loadConfig, provideDependencies, type Dependencies, type HttpEvent } from '@twofold/runtime';
import { handler as admin } from '../../../functions/admin';
import { handler as challenge } from '../../../functions/challenge';
import { handler as consoleFunction } from '../../../functions/console';
import { handler as devices } from '../../../functions/devices';
import { handler as docs } from '../../../functions/docs';
import { handler as enrollment } from '../../../functions/enrollment';
import { handler as relayHandler } from '../../../functions/event-relay';
import { handler as graceExpiryHandler } from '../../../functions/grace-expiry';
import { handler as prompt } from '../../../functions/prompt';
import { handler as publicFunction } from '../../../functions/public';
import { handler as verify } from '../../../functions/verify';
import { toApiGatewayEvent } from './api-gateway-event';
import { environmentOf, startLocalDynamo, type LocalEngine } from './dynamodb-local';
import { outboxPage, readOutbox, startSesEmulator, type OutboxEntry } from './outbox';
import { memoryStorage } from './memory-storage';

type Handler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | void>;

const functions: Record<RoutedFunction, Handler> = {
  public: publicFunction as Handler,
  enrollment: enrollment as unknown as Handler,
  challenge: challenge as unknown as Handler,
  verify: verify as unknown as Handler,
  prompt: prompt as unknown as Handler,
  devices: devices as unknown as Handler,
  admin: admin as unknown as Handler,
  console: consoleFunction as Handler,
  docs: docs as Handler,
};

/** API Gateway's own payload limit; the functions enforce the contract's 16 KiB. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface LocalRuntimeOptions {
  port?: number;
  host?: string;
  /** Where the DynamoDB data and the key file live; omit for an in-memory store (tests). */
  dataDir?: string;
  /** Use this DynamoDB (TWOFOLD_DYNAMODB_ENDPOINT) instead of starting an engine; missing tables are created. */
  dynamoEndpoint?: string;
  /**
   * The engine to start (TWOFOLD_LOCAL_ENGINE). Default: the one a data directory was made with
   * (dynalite for a new one); in memory, the test run's shared engine if there is one, else dynalite.
   */
  engine?: LocalEngine;
  /**
   * 'memory': every storage port on the memory adapters (in-process tests: nothing is started
   * for storage; they pass the same contract suites as the DynamoDB ones), the Idempotency-Key
   * records too.
   */
  storage?: 'dynamodb' | 'memory';
  /** Table name prefix (default `twofold`): several runtimes can share one DynamoDB. */
  tablePrefix?: string;
  clock?: Clock;
  /** false: run as a deployment without an SMS sender. */
  sms?: boolean;
  /** Velocity limits on sent codes (defaults: 10 per user, 10 per destination, 1000 per tenant an hour). */
  sendLimits?: Partial<SendLimits>;
  /** Replace the senders (tests inject failures). */
  senders?: { sms?: SmsSender; email?: EmailSender };
  /** false: no grace-period run every minute (tests run it when they choose). */
  graceTimer?: boolean;
  /**
   * Containers of each HTTP function (default 1): each its own caches and tenant quota buckets,
   * sharing the store, key vault, senders and event log; requests go round the containers of
   * their function in turn, as Lambda spreads them.
   */
  containers?: number;
  /** The deployment's default tenant quota (TWOFOLD_TENANT_REQUESTS_PER_SECOND, TWOFOLD_TENANT_BURST). */
  tenantQuota?: TenantQuota;
  /** Called with one line per request answered (`GET /health 200 3 ms`: no query, no body); npm start prints it. */
  logRequest?: (line: string) => void;
}

export interface LocalRuntime {
  baseUrl: string;
  /** Where its DynamoDB is: the engine it started, or the endpoint it was given. */
  dynamo: string;
  deps: Dependencies;
  /** With storage 'memory': the tables every store keeps its state in (what a test would scan a DynamoDB table for). */
  memory?: MemoryTables;
  /** A tenant, with the operator's request quota if given (else the deployment's default). */
  createTenant(name: string, quota?: TenantQuota): Promise<NewTenant>;
  outbox(): Promise<OutboxEntry[]>;
  /** Security events as published (what EventBridge would get), oldest first. */
  events(): SecurityEvent[];
  /** Runs the scheduled event relay now, as its timer does every few seconds. */
  relayEvents(): Promise<{ published: number }>;
  /** Runs the scheduled grace-period job now (its timer runs it every minute; `npm run grace:run` asks for it over HTTP). */
  runGraceExpiry(): Promise<GraceRunResult>;
  stop(): Promise<void>;
}

/**
 * The storage of a memory runtime: no engine. Its clients point at a port that refuses at once
 * (the discard port), so that a call that still reached for DynamoDB would fail fast instead
 * of looking for AWS.
 */
function noDynamo(): Awaited<ReturnType<typeof startLocalDynamo>> {
  const endpoint = 'http://127.0.0.1:9';
  const tableNames = Object.fromEntries(Object.values(tables).map((t) => [t.name, `memory-${t.name}`])) as TableNames;
  return { endpoint, tableNames, environment: environmentOf(endpoint, tableNames), stop: async () => {} };
}

/** The engine a data directory holds data of: DynamoDB Local for one made before dynalite was the default. */
function engineOf(dataDir: string): LocalEngine {
  return existsSync(join(dataDir, 'dynamodb-local')) && !existsSync(join(dataDir, 'dynalite')) ? 'dynamodb-local' : 'dynalite';
}

const lambdaContext = (name: string, remainingMs = 10_000): Context =>
  ({ functionName: `twofold-${name}`, awsRequestId: 'local', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const dataDir = options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const engine = options.engine ?? (dataDir ? engineOf(dataDir) : undefined);
  const dynamo = options.storage === 'memory' ? noDynamo() : await startLocalDynamo({
    ...(options.dynamoEndpoint ? { endpoint: options.dynamoEndpoint } : { ...(engine ? { engine } : {}), ...(dataDir && engine ? { path: join(dataDir, engine) } : {}) }),
    ...(options.tablePrefix ? { tablePrefix: options.tablePrefix } : {}),
  });
  const ses = await startSesEmulator();
  // without a data directory the master key lives only as long as this run: in a private temporary
  // directory (every function of the run reads the same one), removed at stop
  const keyDir = dataDir ?? mkdtempSync(join(tmpdir(), 'twofold-key-'));
  const config = loadConfig({
    ...dynamo.environment,
    ...(dataDir ? { TWOFOLD_EVENT_LOG_FILE: join(dataDir, 'events.jsonl') } : {}),
    TWOFOLD_KEY_VAULT: 'local',
    TWOFOLD_LOCAL_KEY_FILE: join(keyDir, 'master.key'),
    TWOFOLD_SMS_SENDER: options.sms === false ? 'none' : 'local',
    ...(dataDir ? { TWOFOLD_SMS_OUTBOX_FILE: join(dataDir, 'sms-outbox.jsonl') } : {}),
    TWOFOLD_EMAIL_SENDER: 'ses',
    TWOFOLD_EMAIL_FROM: 'Twofold <no-reply@twofold.local>',
    TWOFOLD_SES_ENDPOINT: ses.endpoint,
    AWS_REGION: 'local',
    ...(options.sendLimits?.perUserPerHour ? { TWOFOLD_SENDS_PER_USER_PER_HOUR: String(options.sendLimits.perUserPerHour) } : {}),
    ...(options.sendLimits?.perDestinationPerHour ? { TWOFOLD_SENDS_PER_DESTINATION_PER_HOUR: String(options.sendLimits.perDestinationPerHour) } : {}),
    ...(options.sendLimits?.perTenantPerHour ? { TWOFOLD_SENDS_PER_TENANT_PER_HOUR: String(options.sendLimits.perTenantPerHour) } : {}),
    ...(options.tenantQuota ? { TWOFOLD_TENANT_REQUESTS_PER_SECOND: String(options.tenantQuota.requestsPerSecond), TWOFOLD_TENANT_BURST: String(options.tenantQuota.burst) } : {}),
  });
  const clock = options.clock ?? systemClock;
  const memory = options.storage === 'memory' ? new MemoryTables() : undefined;
  // each container its own memory adapters, over the one set of tables
  const storage = () => (memory ? { storage: memoryStorage(memory) } : {});
  const deps = buildDependencies(config, {
    clock,
    ...storage(),
    // tests run in memory: their master key need not outlive them
    ...(dataDir ? {} : { vault: LocalKeyVault.inMemory(nodeRandom) }),
    ...(options.senders ?? {}),
  });
  const events = () => (deps.publisher instanceof LocalEventLog ? deps.publisher.list() : []);
  const relayEvents = () => relayHandler();
  // the scheduled functions' local stand-ins: a timer instead of an EventBridge schedule
  const relayTimer = setInterval(() => void relayEvents().catch((e: unknown) => console.error('event relay failed', e)), 5_000);
  relayTimer.unref();
  const runGraceExpiry = () => graceExpiryHandler({}, lambdaContext('grace-expiry', 15 * 60_000));
  const graceTimer = options.graceTimer === false ? undefined : setInterval(() => void runGraceExpiry().catch((e: unknown) => console.error('grace-period run failed', e)), 60_000);
  graceTimer?.unref();
  const outbox = () => readOutbox(deps.sms instanceof LocalSmsOutbox ? deps.sms : undefined, ses);
  provideDependencies(deps);
  // the other containers of each function: their own parts, the shared world's (store, vault, senders, events)
  const shared = { clock, vault: deps.vault, dynamo: deps.dynamo, publisher: deps.publisher, email: deps.email, ...(deps.sms ? { sms: deps.sms } : {}) };
  const containers = [deps, ...Array.from({ length: Math.max(1, options.containers ?? 1) - 1 }, () => buildDependencies(config, { ...shared, ...storage() }))];
  const turns = new Map<RoutedFunction, number>();
  const containerFor = (fn: RoutedFunction): Dependencies => {
    const turn = turns.get(fn) ?? 0;
    turns.set(fn, turn + 1);
    return containers[turn % containers.length] ?? deps;
  };

  const newTenant = (name: string, quota?: TenantQuota) => createTenant({ tenants: deps.tenants, vault: deps.vault, random: deps.random, clock }, { name, ...(quota ? { quota } : {}) });
  // as the operator's tenant CLI would have: the functions only read the signing key (a data directory from before it came with the first tenant has none)
  await ensureSigningKey({ signingKeys: deps.tenants, vault: deps.vault, random: deps.random, clock });

  const { server, baseUrl } = await listen((req, res) => handle(req, res, clock, containerFor, { newTenant, outbox, events, schedules: { 'grace-expiry': runGraceExpiry, 'event-relay': relayEvents } }), options);

  return {
    baseUrl,
    dynamo: memory ? 'none (memory adapters)' : options.dynamoEndpoint ?? (engine === 'dynamodb-local' ? 'DynamoDB Local (embedded, Java)' : engine === 'dynalite' ? 'dynalite (embedded, its own process)' : `shared engine at ${dynamo.endpoint}`),
    deps,
    ...(memory ? { memory } : {}),
    createTenant: newTenant,
    outbox,
    events,
    relayEvents,
    runGraceExpiry,
    async stop() {
      clearInterval(relayTimer);
      clearInterval(graceTimer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      deps.db.destroy();
      await Promise.all([dynamo.stop(), ses.stop()]);
      if (!dataDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/**
 * The HTTP server of `npm start` and of the twin: one line per request when asked, and a 500
 * that says nothing of the error when a request fails unexpectedly.
 */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, options: { port?: number; host?: string; logRequest?: (line: string) => void }): Promise<{ server: Server; baseUrl: string }> {
  const server: Server = createServer((req, res) => {
    if (options.logRequest) {
      const log = options.logRequest;
      const startedMs = performance.now();
      res.once('finish', () => log(`${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]} ${res.statusCode} ${Math.round(performance.now() - startedMs)} ms`));
    }
    handle(req, res).catch((error: unknown) => {
      console.error('local server error', error);
      send(res, errorResponse('internal_error'));
    });
  });
  server.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

/** What the `/_local/*` routes reach: the same on `npm start` and on the twin (`npm run twin`). */
export interface LocalEndpoints {
  newTenant: (name: string, quota?: TenantQuota) => Promise<NewTenant>;
  outbox: () => Promise<OutboxEntry[]>;
  events: () => SecurityEvent[];
  /** The scheduled functions by name (`POST /_local/schedules/<name>` runs one now). */
  schedules: Record<string, () => Promise<unknown>>;
}

const json = (statusCode: number, value: unknown): APIGatewayProxyStructuredResultV2 => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** The answer of a `/_local/*` route, or undefined when the request is for the API. */
export async function localEndpoint(req: IncomingMessage, url: URL, body: string, endpoints: LocalEndpoints): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (!url.pathname.startsWith('/_local/')) return undefined;
  if (url.pathname === '/_local/tenants' && method === 'POST') return localTenant(body, endpoints.newTenant);
  const schedule = url.pathname === '/_local/grace-expiry' ? 'grace-expiry' : /^\/_local\/schedules\/([a-z0-9-]+)$/.exec(url.pathname)?.[1];
  if (schedule !== undefined && method === 'POST') {
    const run = endpoints.schedules[schedule];
    if (!run) return errorResponse('not_found', `No schedule named ${schedule}; there are: ${Object.keys(endpoints.schedules).join(', ')}.`);
    return json(200, await run());
  }
  if (url.pathname === '/_local/events' && method === 'GET') return json(200, { events: endpoints.events() });
  if (url.pathname === '/_local/outbox' && method === 'GET') {
    const messages = await endpoints.outbox();
    // a browser asks for HTML: it gets the page; anything else gets JSON
    if (/text\/html/.test(req.headers.accept ?? '')) return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: outboxPage(messages) };
    return json(200, { messages });
  }
  return undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse, clock: Clock, containerFor: (fn: RoutedFunction) => Dependencies, endpoints: LocalEndpoints) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req);
  if (body === undefined) return send(res, errorResponse('payload_too_large'));
  const local = await localEndpoint(req, url, body, endpoints);
  if (local) return send(res, local);

  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(method, url.pathname);
  const nowMs = clock.nowMs();
  if (!match.route) {
    const event = toApiGatewayEvent(req, url, body, { routeKey: '$default' }, nowMs);
    return send(res, await inContainer(containerFor('public'), () => functions.public(event, lambdaContext('public'))));
  }
  const route = match.route;
  const event = toApiGatewayEvent(req, url, body, { routeKey: routeKeyOf(route), pathParameters: match.pathParameters }, nowMs);
  return send(res, await inContainer(containerFor(route.fn), () => functions[route.fn](event, lambdaContext(route.fn))));
}

async function localTenant(body: string, newTenant: LocalEndpoints['newTenant']): Promise<APIGatewayProxyStructuredResultV2> {
  let input: { name?: unknown; quota?: unknown };
  try {
    input = (JSON.parse(body || '{}') ?? {}) as { name?: unknown; quota?: unknown };
  } catch {
    return errorResponse('invalid_request', 'The request body is not valid JSON.');
  }
  const { name } = input;
  if (typeof name !== 'string' || name.length < 1 || name.length > 64) {
    return errorResponse('invalid_request', 'name must be a string of 1-64 characters.', { details: [{ path: 'body.name', message: 'required, 1-64 characters' }] });
  }
  // the operator's request quota for the tenant, as `npm run tenant:quota` sets it in AWS
  const quota = input.quota === undefined ? undefined : TenantQuota.safeParse(input.quota);
  if (quota && !quota.success) {
    return errorResponse('invalid_request', 'quota must be {"requestsPerSecond": 1-100000, "burst": 1-1000000}, whole numbers.', {
      details: quota.error.issues.map((issue) => ({ path: ['body', 'quota', ...issue.path.map(String)].join('.'), message: issue.message })),
    });
  }
  const tenant = await newTenant(name, quota?.data);
  return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify(tenant) };
}

export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | void) {
  const r = result ?? { statusCode: 204 };
  // as API Gateway does, the answer's cookies go out as one Set-Cookie header each
  const headers: Record<string, string | string[]> = { ...(r.headers as Record<string, string> | undefined) };
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  res.writeHead(r.statusCode ?? 200, headers);
  // as API Gateway does, a base64 body (the gzipped renderer of /docs) goes out decoded
  res.end(r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}
