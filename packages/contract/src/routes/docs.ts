/**
 * The API's reference (no key): the OpenAPI document, a page that renders it with Redoc, and
 * Redoc's script, served from the deployment itself (same origin, no CDN). Their own function:
 * the renderer is about 1 MB, and the document's builder (zod's JSON Schema output, the
 * operations' texts and examples) about 35 KB, which no function on a login's path should carry.
 */
import { route, type RouteDefinition } from '../route-definition';
import { routeIndex } from '../route-index';

/** Where the page loads the renderer from (same origin, so the page's CSP can be script-src 'self'). */
export const docsScriptPath = routeIndex.docsScript.path;

export const docsRoutes = [
  route('openapi', { scope: 'public', summary: 'This API as an OpenAPI 3.1 document', status: 200 }),
  route('docs', { scope: 'public', summary: 'API reference pages (HTML)', content: 'text/html', status: 200 }),
  route('docsScript', { scope: 'public', summary: 'The script that renders the reference pages (Redoc)', content: 'text/javascript', status: 200 }),
] as const satisfies readonly RouteDefinition[];
