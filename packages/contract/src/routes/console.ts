/**
 * The admin console (packages/console): a page and its assets, served without a key. The page
 * holds no tenant data; every call it makes carries the admin API key the person enters.
 */
import { route, type RouteDefinition } from '../route-definition';

export const consoleRoutes = [
  route('consolePage', { scope: 'public', summary: 'The admin console: settings, overview, users and audit trail for a workspace admin (sign in with an admin API key)', status: 200, content: 'text/html' }),
  route('consoleScript', { scope: 'public', summary: "The admin console's script", status: 200, content: 'text/javascript' }),
  route('consoleStyles', { scope: 'public', summary: "The admin console's style sheet", status: 200, content: 'text/css' }),
  route('consoleIcon', { scope: 'public', summary: "The admin console's icon", status: 200, content: 'image/svg+xml' }),
  // what a browser asks for of every page of this origin without an icon of its own (the reference pages, the local outbox)
  route('favicon', { scope: 'public', summary: 'The icon browsers ask for at /favicon.ico (the console icon, SVG)', status: 200, content: 'image/svg+xml' }),
] as const satisfies readonly RouteDefinition[];
