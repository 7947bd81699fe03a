/**
 * API Gateway, as the local server plays it (packages/local/src/runtime.ts): the route table
 * picks the function, the authorizer runs first on the request's headers, its context goes
 * into the payload 2.0 event, and the function's handler is called with it. Events are built by
 * the local server's own builder, so they have the same shape.
 */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { matchRoute, routeKeyOf, type HttpMethod } from '@twofold/contract';
import { toApiGatewayEvent } from '@twofold/local/api-gateway-event';
import type { HttpEvent } from '@twofold/runtime';
import { handler as challenge } from '../functions/challenge';
import { handler as enrollment } from '../functions/enrollment';
import { handler as verify } from '../functions/verify';

export type Handler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | void>;

/** The functions the bench calls; the others are not on its path (or are added by `addFunction`). */
const functions = new Map<string, Handler>([
  ['enrollment', enrollment as unknown as Handler],
  ['challenge', challenge as unknown as Handler],
  ['verify', verify as unknown as Handler],
]);

/** Wires one more function (one the bench loads only when it exists). */
export function addFunction(name: string, handler: Handler): void {
  functions.set(name, handler);
}

const HOST = 'api.bench.local';

export interface ApiRequest {
  method: HttpMethod;
  path: string;
  apiKey?: string;
  body?: unknown;
  /** More request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

/** A request turned into what API Gateway hands the authorizer and the function. */
export interface PreparedCall {
  fn: string;
  event: HttpEvent;
  authorize: boolean;
  context: Context;
}

export interface ApiResponse {
  statusCode: number;
  body: unknown;
}

const lambdaContext = (name: string): Context =>
  ({ functionName: `twofold-${name}`, awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 }) as unknown as Context;

export function prepare(request: ApiRequest, nowMs: number): PreparedCall {
  const match = matchRoute(request.method, request.path);
  if (!match.route) throw new Error(`bench: no route for ${request.method} ${request.path}`);
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers: Record<string, string> = { host: HOST, 'user-agent': 'twofold-bench/1', accept: 'application/json' };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  // the builder reads only these of Node's IncomingMessage
  const req = { method: request.method, headers, socket: { remoteAddress: '203.0.113.7' } } as unknown as IncomingMessage;
  const event = toApiGatewayEvent(req, new URL(request.path, `https://${HOST}`), body, { routeKey: routeKeyOf(match.route), pathParameters: match.pathParameters }, nowMs);
  return { fn: match.route.fn, event, authorize: match.route.scope !== 'public', context: lambdaContext(match.route.fn) };
}

/**
 * API Gateway's first half: nothing any more. The functions check the API key themselves (with a
 * per-container cache), so a request is one invocation; kept so that the rounds' shape stays.
 */
export async function authorize(_call: PreparedCall): Promise<void> {}

/** The second half: the function that owns the route. */
export async function runFunction(call: PreparedCall): Promise<APIGatewayProxyStructuredResultV2> {
  const handler = functions.get(call.fn);
  if (!handler) throw new Error(`bench: function ${call.fn} is not wired`);
  return (await handler(call.event, call.context)) ?? { statusCode: 204 };
}

/** What API Gateway does per request: the authorizer (unless public), then the function. */
export async function invoke(call: PreparedCall): Promise<APIGatewayProxyStructuredResultV2> {
  await authorize(call);
  return runFunction(call);
}

export async function call(request: ApiRequest, nowMs: number): Promise<ApiResponse> {
  const result = await invoke(prepare(request, nowMs));
  return { statusCode: result.statusCode ?? 200, body: result.body ? (JSON.parse(result.body) as unknown) : undefined };
}

/**
 * Runs a prepared call (authorizer, then function) for a timed round: undefined when it answered
 * `status` and `check` accepts the body, else a short account of what it answered.
 */
export async function invokeExpecting<T>(call: PreparedCall, status: number, check: (body: T) => boolean = () => true): Promise<string | undefined> {
  const result = await invoke(call);
  const body = result.body ? (JSON.parse(result.body) as T) : undefined;
  if (result.statusCode === status && body !== undefined && check(body)) return undefined;
  return `${String(result.statusCode)} ${result.body ?? ''}`.slice(0, 300);
}

/** A call that must answer `status`; anything else stops the bench with the answer. */
export async function expectStatus<T>(request: ApiRequest, nowMs: number, status: number): Promise<T> {
  const response = await call(request, nowMs);
  if (response.statusCode !== status) {
    throw new Error(`bench: ${request.method} ${request.path} answered ${response.statusCode}, expected ${status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as T;
}
