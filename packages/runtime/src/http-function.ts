/**
 * Builds a Lambda handler for the routes of one function from the route table. Middleware does
 * everything HTTP: finds the route, checks the caller's scope, limits and parses the body,
 * validates with the route's zod schemas, and maps errors through the one table. An operation
 * receives typed input, calls one use case and returns its DTO.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { routeKeyOf, type RouteDefinition } from '@twofold/contract/route-definition';
import { DomainError, fail, type Caller, type checkFreshVerification, type FreshVerification } from '@twofold/core';
import { containerOf, type Dependencies } from './container';
import { detailsOf, jsonHeaders, toErrorResponse } from './http-errors';
import { beginInvocation, endInvocation } from './logger';
import type { Part, Views } from './wiring';

/** The contract's limit on request bodies. */
export const MAX_BODY_BYTES = 16 * 1024;

export type AuthorizerContext = { tenantId?: string; scope?: 'app' | 'admin' };
export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export interface OperationInput<D = Dependencies> {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  caller: Caller;
  headers: Record<string, string | undefined>;
  event: HttpEvent;
  context: Context;
  /** The parts the function wires (see parts.ts). */
  deps: D;
  /** For routes marked `fresh`: how the caller proved a fresh verification of the user, if they did. */
  fresh?: FreshVerification;
}

export type Operation<D = Dependencies> = (input: OperationInput<D>) => Promise<unknown>;

/** How a fresh verification is checked: core's checkFreshVerification, given by the functions that have such routes. */
export type FreshVerificationCheck<D> = (deps: D, input: Parameters<typeof checkFreshVerification>[1]) => Promise<FreshVerification | undefined>;

interface Resolved<D> {
  route: RouteDefinition;
  input: OperationInput<D>;
}

function resolve<D>(event: HttpEvent, context: Context, table: Map<string, RouteDefinition>, deps: () => D): Resolved<D> {
  const route = table.get(event.routeKey) ?? fail('not_found');
  const caller = authorise(route, event.requestContext.authorizer?.lambda);
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
  const params = parse(route.params, event.pathParameters ?? {}, 'path') as Record<string, string>;
  return {
    route,
    input: {
      params,
      query: parse(route.query, event.queryStringParameters ?? {}, 'query') as Record<string, string>,
      body: route.body ? parse(route.body, jsonBody(event), 'body') : undefined,
      caller,
      headers: event.headers ?? {},
      event,
      context,
      deps: deps(),
    },
  };
}

function authorise(route: RouteDefinition, auth: AuthorizerContext | undefined): Caller {
  if (route.scope === 'public') return { tenantId: '', scope: 'app' };
  if (!auth?.tenantId || !auth.scope) fail('unauthorized');
  if (route.scope === 'admin' && auth!.scope !== 'admin') fail('forbidden', 'This operation needs an admin API key.');
  return { tenantId: auth!.tenantId!, scope: auth!.scope! };
}

function jsonBody(event: HttpEvent): unknown {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) fail('payload_too_large');
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return fail('invalid_request', 'The request body is not valid JSON.');
  }
}

/**
 * The handler of one function: its own routes (contract/routes/<function>.ts, so that it carries
 * only their schemas), each answered by the operation of the same operationId with the
 * dependencies `wiring` makes. A function with routes that need a fresh verification is given
 * the check (so that only those functions carry the assertion verifier).
 */
export function httpFunction<D extends Partial<Views>>(
  routes: readonly RouteDefinition[],
  wiring: Part<D>,
  operations: Record<string, Operation<D>>,
  options: { freshVerification?: FreshVerificationCheck<D> } = {},
) {
  const fn = routes[0]?.fn;
  const table = new Map(routes.map((r) => [routeKeyOf(r), r]));
  for (const r of table.values()) {
    if (!operations[r.operationId]) throw new Error(`function ${fn} has no operation ${r.operationId}`);
    if (r.fresh && !options.freshVerification) throw new Error(`function ${fn} serves ${r.operationId}, which needs a fresh verification, without a freshVerification check`);
  }
  const deps = containerOf(wiring);

  const base = async (event: HttpEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const { route, input } = resolve(event, context, table, deps);
    if (route.fresh) {
      input.fresh = await options.freshVerification!(input.deps, {
        tenantId: input.caller.tenantId,
        scope: input.caller.scope,
        userId: input.params.userId!,
        assertion: input.headers['twofold-assertion'],
        mode: route.fresh,
      });
    }
    const result = await operations[route.operationId]!(input);
    if (route.status === 204) return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    return { statusCode: route.status, headers: { ...jsonHeaders }, body: JSON.stringify(result) };
  };

  return middy<HttpEvent, APIGatewayProxyStructuredResultV2>(base).use({
    before: (request) => {
      beginInvocation({ routeKey: request.event.routeKey, requestId: request.event.requestContext?.requestId });
    },
    after: () => {
      endInvocation();
    },
    onError: (request) => {
      request.response = toErrorResponse(request.error, { routeKey: request.event.routeKey });
      endInvocation();
    },
  });
}

export { DomainError };
