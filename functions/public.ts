/** Public routes (no key): health, the OpenAPI document, and API Gateway's catch-all route. */
import { buildOpenApiDocument, matchRoute } from '@twofold/contract';
import { errorResponse, httpFunction, type HttpEvent } from '@twofold/runtime';
import type { Context } from 'aws-lambda';

let openApi: object | undefined;

const routed = httpFunction('public', {
  health: async () => ({ status: 'ok' }),
  openapi: async () => (openApi ??= buildOpenApiDocument()),
  jwks: ({ deps }) => deps.assertions.jwks(),
});

/** `$default` catches what no route matches: the contract's 404 (or 405 for a known path). */
export const handler = async (event: HttpEvent, context: Context) => {
  if (event.routeKey !== '$default') return routed(event, context);
  const match = matchRoute(event.requestContext.http.method, event.rawPath);
  return errorResponse(match.route || match.pathKnown ? 'method_not_allowed' : 'not_found');
};
