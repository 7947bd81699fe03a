/** Public routes (no key): health, the signing keys, and API Gateway's catch-all route. */
import { matchRoute, routes } from '@twofold/contract';
import { publicRoutes } from '@twofold/contract/routes/public';
import { errorResponse, httpFunction, wire, type HttpEvent } from '@twofold/runtime';
import { assertions } from '@twofold/runtime/parts';
import type { Context } from 'aws-lambda';

const routed = httpFunction(publicRoutes, wire({ assertions }), {
  health: async () => ({ status: 'ok' }),
  jwks: ({ deps }) => deps.assertions.jwks(),
});

/** `$default` catches what no route matches: the contract's 404 (or 405 for a known path). */
export const handler = async (event: HttpEvent, context: Context) => {
  if (event.routeKey !== '$default') return routed(event, context);
  const match = matchRoute(event.requestContext.http.method, event.rawPath);
  if (!match.route && !match.pathKnown) return errorResponse('not_found');
  // RFC 9110 §15.5.6: a 405 must say, in Allow, which methods the path does accept
  const allow = [...new Set(routes.map((r) => r.method))].filter((m) => matchRoute(m, event.rawPath).route);
  const response = errorResponse('method_not_allowed');
  return { ...response, headers: { ...response.headers, allow: allow.join(', ') } };
};
