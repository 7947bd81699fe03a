/**
 * The route table: the one list of HTTP routes. The CDK stack makes an API Gateway route per
 * entry, the local server routes with it, the handlers validate with its schemas, and the
 * OpenAPI document is generated from it.
 */
import type { RoutedFunction, RouteDefinition } from './route-definition';
import { adminRoutes } from './routes/admin';
import { challengeRoutes } from './routes/challenge';
import { devicesRoutes } from './routes/devices';
import { docsRoutes } from './routes/docs';
import { enrollmentRoutes } from './routes/enrollment';
import { publicRoutes } from './routes/public';
import { verifyRoutes } from './routes/verify';

export * from './route-definition';
export { adminRoutes, challengeRoutes, devicesRoutes, docsRoutes, enrollmentRoutes, publicRoutes, verifyRoutes };

/** Every route, each function's in turn (routes/ has one list per function: a function's handler takes only its own). */
export const routes = [...publicRoutes, ...enrollmentRoutes, ...devicesRoutes, ...challengeRoutes, ...verifyRoutes, ...adminRoutes, ...docsRoutes] as const;

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];

export const routesOf = (fn: RoutedFunction): RouteDefinition[] => routes.filter((r) => r.fn === fn);

/** API Gateway's catch-all route: answers unknown routes with the contract's 404. */
export const defaultRouteFunction: RoutedFunction = 'public';

/** Matches a concrete path against the table, as API Gateway does; path parameters decoded. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string>; pathKnown: true } | { route: undefined; pathKnown: boolean } {
  let pathKnown = false;
  for (const r of routes as readonly RouteDefinition[]) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, pathParameters: params, pathKnown: true };
  }
  return { route: undefined, pathKnown };
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const actual = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (seg !== actual) return undefined;
  }
  return params;
}
