/**
 * The API's reference (no key): the OpenAPI document, a page that renders it with Redoc, and
 * Redoc's script, served from the deployment itself (same origin, no CDN). Their own function:
 * the renderer is about 1 MB, and the document's builder (zod's JSON Schema output, the
 * operations' texts and examples) about 35 KB, which no function on a login's path should carry.
 */
import { route, type RouteDefinition } from '../route-definition';

/** Where the page loads the renderer from (same origin, so the page's CSP can be script-src 'self'). */
export const docsScriptPath = '/docs/redoc.standalone.js';

export const docsRoutes = [
  route({ operationId: 'openapi', method: 'GET', path: '/openapi.json', fn: 'docs', scope: 'public', summary: 'This API as an OpenAPI 3.1 document', status: 200 }),
  route({ operationId: 'docs', method: 'GET', path: '/docs', fn: 'docs', scope: 'public', summary: 'API reference pages (HTML)', produces: 'text/html', status: 200 }),
  route({ operationId: 'docsScript', method: 'GET', path: docsScriptPath, fn: 'docs', scope: 'public', summary: 'The script that renders the reference pages (Redoc)', produces: 'text/javascript', status: 200 }),
] as const satisfies readonly RouteDefinition[];
