/**
 * The API reference pages (no key): a page that renders /openapi.json with Redoc, and Redoc's
 * script, served from the deployment itself (same origin, no CDN). Their own function: the
 * renderer is about 1 MB, which no other function should carry or load.
 */
import { route, type RouteDefinition } from '../route-definition';

/** Where the page loads the renderer from (same origin, so the page's CSP can be script-src 'self'). */
export const docsScriptPath = '/docs/redoc.standalone.js';

export const docsRoutes = [
  route({ operationId: 'docs', method: 'GET', path: '/docs', fn: 'docs', scope: 'public', summary: 'API reference pages (HTML)', produces: 'text/html', status: 200 }),
  route({ operationId: 'docsScript', method: 'GET', path: docsScriptPath, fn: 'docs', scope: 'public', summary: 'The script that renders the reference pages (Redoc)', produces: 'text/javascript', status: 200 }),
] as const satisfies readonly RouteDefinition[];
