/**
 * The admin console (packages/console): a page and its assets, served without a key. The page
 * holds no tenant data; every call it makes carries the admin API key the person enters.
 */
import { route, type RouteDefinition } from '../route-definition';

export const consoleRoutes = [
  route({ operationId: 'consolePage', method: 'GET', path: '/console', fn: 'console', scope: 'public', summary: 'The admin console: settings, overview, users and audit trail for a workspace admin (sign in with an admin API key)', status: 200, content: 'text/html' }),
  route({ operationId: 'consoleScript', method: 'GET', path: '/console/console.js', fn: 'console', scope: 'public', summary: "The admin console's script", status: 200, content: 'text/javascript' }),
  route({ operationId: 'consoleStyles', method: 'GET', path: '/console/console.css', fn: 'console', scope: 'public', summary: "The admin console's style sheet", status: 200, content: 'text/css' }),
  route({ operationId: 'consoleIcon', method: 'GET', path: '/console/icon.svg', fn: 'console', scope: 'public', summary: "The admin console's icon", status: 200, content: 'image/svg+xml' }),
] as const satisfies readonly RouteDefinition[];
