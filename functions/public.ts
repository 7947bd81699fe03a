/** Public routes (no key): health, the signing keys, and API Gateway's catch-all route. */
import { allowedMethods, indexedRoutes, matchIn } from '@twofold/contract/route-index';
import { publicRoutes } from '@twofold/contract/routes/public';
import { errorResponse, httpFunction, wire, type HttpEvent } from '@twofold/runtime';
import { assertions } from '@twofold/runtime/parts';
import type { Context } from 'aws-lambda';

const routed = httpFunction(publicRoutes, wire({ assertions }), {
  health: async () => ({ status: 'ok' }),
  jwks: ({ deps }) => deps.assertions.jwks(),
});

/**
 * `$default` catches what no route matches: the contract's 404 (or 405 for a known path), from
 * the route index (method, path, function: no other route's schemas in this bundle).
 */
export const handler = async (event: HttpEvent, context: Context) => {
  if (event.routeKey !== '$default') return routed(event, context);
  const match = matchIn(indexedRoutes, event.requestContext.http.method, event.rawPath);
  // a route of the contract that reaches $default is one the deployment lacks (a template without it): no such route
  if (match.route || !match.pathKnown) return errorResponse('not_found');
  // RFC 9110 §15.5.6: a 405 must say, in Allow, which methods the path does accept
  const allow = allowedMethods(event.rawPath);
  const response = errorResponse('method_not_allowed');
  return { ...response, headers: { ...response.headers, allow: allow.join(', ') } };
};
