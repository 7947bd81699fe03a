/**
 * Builds a Lambda handler for the routes of one function from the route table. Middleware does
 * everything HTTP: finds the route, checks the caller's scope, limits and parses the body,
 * validates with the route's zod schemas, and maps errors through the one table. An operation
 * receives typed input, calls one use case and returns its DTO.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { routeKeyOf, type RouteDefinition } from '@twofold/contract/route-definition';
import { DomainError, fail, type Caller, type checkFreshVerification, type FreshVerification } from '@twofold/core';
import { containerOf, type Dependencies } from './container';
import { fieldOf } from './field-of';
import { detailsOf, jsonHeaders, toErrorResponse } from './http-errors';
import { recordFailure, recordSuccess } from './http-metrics';
import { tracing } from './tracing';
import { beginInvocation, endInvocation } from './logger';
import type { Part, Views } from './wiring';

/** The contract's limit on request bodies. */
export const MAX_BODY_BYTES = 16 * 1024;

/** API Gateway's HTTP API event (payload 2.0); no authorizer runs in front (each function checks the key itself). */
export type HttpEvent = APIGatewayProxyEventV2;

/**
 * What an operation receives. For a route of the table (RouteInput), params, query and body are
 * what the route's zod schemas parsed: their output types. Without route (the defaults), any
 * route's input, as a helper shared by several operations takes it.
 */
export interface OperationInput<D = Dependencies, P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  headers: Record<string, string | undefined>;
  event: HttpEvent;
  context: Context;
  /** The parts the function wires (see parts.ts). */
  deps: D;
  /** For routes marked `fresh`: how the caller proved a fresh verification of the user, if they did. */
  fresh?: FreshVerification;
}

/** What a route's schema parses to; a route without the schema is given the path's or the query string's values unvalidated. */
type Parsed<S, Otherwise> = S extends z.ZodMiniType ? z.output<S> : Otherwise;
type Unvalidated = Record<string, string | undefined>;

/** The input of the operation of one route: its params, query and body typed from its schemas (body undefined when it takes none). */
export type RouteInput<Route extends RouteDefinition, D = Dependencies> = OperationInput<
  D,
  Parsed<Route extends { params: infer S } ? S : undefined, Unvalidated>,
  Parsed<Route extends { query: infer S } ? S : undefined, Unvalidated>,
  Parsed<Route extends { body: infer S } ? S : undefined, undefined>
>;

/** What the operation of one route answers: its response schema's type (anything for a 204, whose answer is not sent). */
export type RouteResult<Route extends RouteDefinition> = Route extends { response: infer S extends z.ZodMiniType } ? z.output<S> : unknown;

export type Operation<D = Dependencies, Route extends RouteDefinition = RouteDefinition> = (input: RouteInput<Route, D>) => Promise<RouteResult<Route>>;

/**
 * The operations of a function: one per route, keyed by its operationId, each typed from its
 * route (the routes keep their literal types: route() and `as const` in contract/routes/). Keyed
 * by the operationIds and not remapped (`[Route in R as Route['operationId']]`): TypeScript gives
 * the handlers' parameters no contextual type from a generic mapped type with an `as` clause.
 * httpFunction takes them NoInfer: R and D come from the routes and the wiring only, and the
 * handlers are typed from those (their answers' literals too, as `{ status: 'ok' }`).
 */
export type Operations<R extends RouteDefinition, D = Dependencies> = { [K in R['operationId']]: Operation<D, Extract<R, { operationId: K }>> };

/** What the dispatcher calls: the input it parsed with the route's schemas, for the operation of that route. */
type AnyOperation<D> = (input: OperationInput<D, unknown, unknown, unknown>) => Promise<unknown>;

/** How a fresh verification is checked: core's checkFreshVerification, given by the functions that have such routes. */
export type FreshVerificationCheck<D> = (deps: D, input: Parameters<typeof checkFreshVerification>[1]) => Promise<FreshVerification | undefined>;

interface Resolved<D> {
  route: RouteDefinition;
  input: OperationInput<D>;
}

async function resolve<D extends Partial<Views>>(event: HttpEvent, context: Context, table: Map<string, RouteDefinition>, deps: () => D): Promise<Resolved<D>> {
  const route = table.get(event.routeKey) ?? fail('not_found');
  const wired = deps();
  // the API key is checked here, in the function, before anything else (no authorizer invocation)
  const caller = route.scope === 'public' ? publicCaller : authorise(route, await authenticateOf(wired)(event.headers?.authorization));
  // then the tenant's request quota, before any other work (core/tenancy/tenant-quota.ts)
  if (route.scope !== 'public') await admissionOf(wired)(caller.tenantId);
  if (route.contentTypes) checkContentType(route.contentTypes, event.headers?.['content-type']);
  const parse = <S extends z.ZodMiniType | undefined>(schema: S, value: unknown, where: string) => {
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success) {
      const details = detailsOf(result.error, where);
      // a route may name its own error for a body that fails its schema (the policy: 422 invalid_policy), saying which field
      if (where === 'body' && route.invalidBody) fail(route.invalidBody, details.map((d) => `${d.path.replace(/^body\./, '')}: ${d.message}`).join('; '), { details });
      fail('invalid_request', `The request ${where} is not valid.`, { details });
    }
    return result.data;
  };
  return {
    route,
    input: {
      params: parse(route.params, event.pathParameters ?? {}, 'path'),
      query: parse(route.query, event.queryStringParameters ?? {}, 'query'),
      body: route.body ? parse(route.body, jsonBody(event, route.maxBodyBytes), 'body') : undefined,
      caller,
      headers: event.headers ?? {},
      event,
      context,
      // an admin's request carries its key to the events it records (Attribution)
      deps: caller.scope === 'admin' ? { ...wired, actingKey: { keyId: caller.keyId, name: caller.keyName } } : wired,
    },
  };
}

const publicCaller: Caller = { tenantId: '', scope: 'app', keyId: '', keyName: '' };

/** The key check of a function that serves keyed routes (KeyCheckOf makes its absence a compile error; were it missing anyway, every keyed request would fail closed with a 500). */
function authenticateOf(deps: Partial<Views>): Views['authenticate'] {
  if (!deps.authenticate) throw new Error('this function serves routes with an API key but wires no authenticate');
  return deps.authenticate;
}

/** The quota check of a function that serves keyed routes (KeyCheckOf makes its absence a compile error). */
function admissionOf(deps: Partial<Views>): Views['admitTenant'] {
  if (!deps.admitTenant) throw new Error('this function serves routes with an API key but wires no admitTenant');
  return deps.admitTenant;
}

/** The path's userId, for a route marked fresh (every such route has one: its params schema parsed it). */
function userIdOf(params: unknown): string {
  const userId = fieldOf(params, 'userId');
  return typeof userId === 'string' ? userId : fail('invalid_request', 'The request path names no user.');
}

function authorise(route: RouteDefinition, caller: Caller | undefined): Caller {
  if (!caller) return fail('unauthorized');
  if (route.scope === 'admin' && caller.scope !== 'admin') fail('forbidden', 'This operation needs an admin API key.');
  return caller;
}

/** RFC 9110 §15.5.16: a body in a media type the route does not take is refused with 415 (the type compared without its parameters, case-insensitively). */
function checkContentType(accepted: readonly string[], contentType: string | undefined): void {
  const type = (contentType ?? '').replace(/;.*$/s, '').trim().toLowerCase();
  if (!accepted.includes(type)) fail('unsupported_media_type', `Send the body as ${accepted.join(' or ')}.`);
}

function jsonBody(event: HttpEvent, maxBodyBytes = MAX_BODY_BYTES): unknown {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > maxBodyBytes) fail('payload_too_large', maxBodyBytes === MAX_BODY_BYTES ? undefined : `The request body is larger than ${maxBodyBytes / 1024 / 1024} MiB.`);
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return fail('invalid_request', 'The request body is not valid JSON.');
  }
}

/** The body of a refused request, for its metrics only: undefined when it is not JSON. */
function bodyHints(event: HttpEvent, maxBodyBytes: number | undefined): unknown {
  try {
    return jsonBody(event, maxBodyBytes);
  } catch {
    return undefined;
  }
}

/** A function that serves any route with an API key must wire `authenticate` and `admitTenant` (a compile error otherwise). */
type KeyCheckOf<R extends RouteDefinition> = [Exclude<R['scope'], 'public'>] extends [never] ? unknown : Pick<Views, 'authenticate' | 'admitTenant'>;

/**
 * The handler of one function: its own routes (contract/routes/<function>.ts, so that it carries
 * only their schemas), each answered by the operation of the same operationId with the
 * dependencies `wiring` makes. A function with routes that need a fresh verification is given
 * the check (so that only those functions carry the assertion verifier).
 */
export function httpFunction<const R extends readonly RouteDefinition[], D extends Partial<Views> & KeyCheckOf<R[number]>>(
  routes: R,
  wiring: Part<D>,
  operations: NoInfer<Operations<R[number], D>>,
  options: { freshVerification?: FreshVerificationCheck<D> } = {},
) {
  const fn = routes[0]?.fn;
  const table = new Map<string, RouteDefinition>(routes.map((r) => [routeKeyOf(r), r]));
  // the one place the operations are seen untyped: each is called only with the input its own route's schemas parsed (resolve)
  const byOperationId: Partial<Record<string, AnyOperation<D>>> = operations as Record<string, AnyOperation<D>>;
  for (const r of table.values()) {
    if (!byOperationId[r.operationId]) throw new Error(`function ${fn} has no operation ${r.operationId}`);
    if (r.fresh && !options.freshVerification) throw new Error(`function ${fn} serves ${r.operationId}, which needs a fresh verification, without a freshVerification check`);
  }
  const { freshVerification } = options;
  const deps = containerOf(wiring);

  const base = async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const { route, input } = await resolve(event, context, table, deps);
    // a route marked fresh is served only with the check (refused at cold start otherwise, above)
    if (route.fresh && freshVerification) {
      input.fresh = await freshVerification(input.deps, {
        tenantId: input.caller.tenantId,
        scope: input.caller.scope,
        userId: userIdOf(input.params),
        assertion: input.headers['twofold-assertion'],
        mode: route.fresh,
      });
    }
    // every route of the table has its operation (checked above)
    const operation = byOperationId[route.operationId] ?? fail('not_found');
    const result = await operation(input);
    recordSuccess(route.operationId, input.body, result);
    if (route.status === 204) return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    return { statusCode: route.status, headers: { ...jsonHeaders }, body: JSON.stringify(result) };
  };

  // the configuration's tracing setting, from the same container source as the function's parts
  const settings = containerOf((w) => ({ config: w.config }));
  const tracingOn = () => settings().config.tracing;
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>(base).use(tracing(tracingOn)).use({
    before: (request) => {
      beginInvocation({ routeKey: request.event.routeKey, requestId: request.event.requestContext?.requestId });
    },
    after: () => {
      endInvocation();
    },
    onError: (request) => {
      const { error, event } = request;
      if (error instanceof DomainError) recordFailure(table.get(event.routeKey)?.operationId, bodyHints(event, table.get(event.routeKey)?.maxBodyBytes), error.code);
      request.response = toErrorResponse(error, { routeKey: event.routeKey });
      endInvocation();
    },
  });
}

export { DomainError };
