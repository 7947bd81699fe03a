/**
 * What a route is: its operation, method and path, the function that serves it, who may call
 * it, and the schemas of what it takes and answers. The lists are in routes/, one per function,
 * each route's method, path and function taken from the index (route-index.ts); routes.ts joins
 * them into the route table.
 */
import type * as z from 'zod/mini';
import type { ErrorCode } from './errors';
import { routeIndex, type HttpMethod, type IndexedOperationId, type RoutedFunction } from './route-index';

export { routedFunctions, type HttpMethod, type RoutedFunction } from './route-index';


/** `public` needs no key; `app` is any key of the tenant; `admin` only an admin key. */
export type RouteScope = 'public' | 'app' | 'admin';


export interface RouteDefinition {
  operationId: string;
  method: HttpMethod;
  /** API Gateway syntax: `/v1/users/{userId}` */
  path: string;
  fn: RoutedFunction;
  scope: RouteScope;
  summary: string;
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** undefined for 204 */
  response?: z.ZodMiniType;
  /** The media type of a response that is not JSON (the console's and the reference's pages and their assets). */
  content?: 'text/html' | 'text/javascript' | 'text/css' | 'image/svg+xml';
  status: 200 | 201 | 202 | 204;
  /**
   * Needs a fresh verification of the user in the Twofold-Assertion header (app keys; admin keys
   * are exempt): `required` refuses without one, `optional` shows more with one.
   */
  fresh?: 'required' | 'optional';
  /** error codes this route is documented to return, besides the ones every route may return */
  errors?: string[];
  /** The error a body that fails its schema gets, instead of 400 invalid_request (the policy: 422 invalid_policy). */
  invalidBody?: ErrorCode;
  /**
   * The media types the body may be sent as (without parameters such as charset); any other
   * Content-Type gets 415 unsupported_media_type. Unset: the body is read as JSON whatever it says.
   */
  contentTypes?: readonly string[];
  /** A larger limit on the body than the contract's 16 KiB (an import's batch of users). */
  maxBodyBytes?: number;
}

/** What a route says besides what the index (route-index.ts) says of it. */
export type RouteDetails = Omit<RouteDefinition, 'operationId' | 'method' | 'path' | 'fn'>;

/** A route of the table: its operation's method, path and function from the index, with the rest. */
export const route = <const Id extends IndexedOperationId, const R extends RouteDetails>(operationId: Id, details: R): { operationId: Id } & (typeof routeIndex)[Id] & R => ({
  operationId,
  ...routeIndex[operationId],
  ...details,
});

/** API Gateway route key, e.g. `POST /v1/users/{userId}/factors`. */
export const routeKeyOf = (r: Pick<RouteDefinition, 'method' | 'path'>): string => `${r.method} ${r.path}`;
