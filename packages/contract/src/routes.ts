/**
 * The route table: the one list of HTTP routes. The CDK stack makes an API Gateway route per
 * entry, the local server routes with it, the handlers validate with its schemas, and the
 * OpenAPI document is generated from it.
 */
import type { RoutedFunction, RouteDefinition } from './route-definition';
import { matchIn, type IndexedOperationId } from './route-index';
import { adminRoutes } from './routes/admin';
import { challengeRoutes } from './routes/challenge';
import { consoleRoutes } from './routes/console';
import { devicesRoutes } from './routes/devices';
import { docsRoutes } from './routes/docs';
import { enrollmentRoutes } from './routes/enrollment';
import { promptRoutes } from './routes/prompt';
import { publicRoutes } from './routes/public';
import { verifyRoutes } from './routes/verify';

export * from './route-definition';
export * from './route-index';
export { adminRoutes, challengeRoutes, consoleRoutes, devicesRoutes, docsRoutes, enrollmentRoutes, promptRoutes, publicRoutes, verifyRoutes };

/** Every route, each function's in turn (routes/ has one list per function: a function's handler takes only its own). */
export const routes = [...publicRoutes, ...enrollmentRoutes, ...devicesRoutes, ...challengeRoutes, ...verifyRoutes, ...promptRoutes, ...adminRoutes, ...consoleRoutes, ...docsRoutes] as const;

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];

/** Every route of the index has its route in the table (a missing one is named in the compiler's error). */
type Unrouted = Exclude<IndexedOperationId, OperationId>;
export const everyIndexedRouteIsRouted: [Unrouted] extends [never] ? true : Unrouted = true;

export const routesOf = (fn: RoutedFunction): RouteDefinition[] => routes.filter((r) => r.fn === fn);

/** API Gateway's catch-all route: answers unknown routes with the contract's 404. */
export const defaultRouteFunction: RoutedFunction = 'public';

/** Matches a concrete path against the table, as API Gateway does; path parameters decoded. */
export const matchRoute = (method: string, path: string) => matchIn<RouteDefinition>(routes, method, path);
