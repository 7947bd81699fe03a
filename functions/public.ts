/** Public routes (no key): health, the OpenAPI document, and API Gateway's catch-all route. */
import { matchRoute, routes } from '@twofold/contract';
import { publicRoutes } from '@twofold/contract/routes/public';
import { errorResponse, httpFunction, wire, type HttpEvent } from '@twofold/runtime';
import { assertions } from '@twofold/runtime/parts';
import type { Context } from 'aws-lambda';

/** Built on the first request for it (the builder and its texts are loaded only then), then kept. */
let openApi: Promise<Record<string, unknown>> | undefined;
const openApiDocument = () => (openApi ??= import('@twofold/contract/openapi').then((m) => m.buildOpenApiDocument()));

/**
 * The address the request came to, for the document's `servers`: API Gateway's Host and
 * X-Forwarded-Proto (the local runtime sets both as API Gateway does). A Host that is not a
 * plain host[:port] is not echoed.
 */
function baseUrlOf(event: HttpEvent): string | undefined {
  const host = event.headers?.host ?? event.requestContext.domainName;
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) return undefined;
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${host}`;
}

const routed = httpFunction(publicRoutes, wire({ assertions }), {
  health: async () => ({ status: 'ok' }),
  openapi: async ({ event }) => {
    const doc = await openApiDocument();
    const url = baseUrlOf(event);
    return url ? { ...doc, servers: [{ url }] } : doc;
  },
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
