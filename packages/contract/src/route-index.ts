/**
 * The route index: every route's operation, method, path and function, and nothing else (no
 * schemas). It is the one place a route's method and path are written: the lists in routes/
 * build the route table from it (`route('health', { …schemas })`), and routes.ts fails to
 * compile if an entry has no route there. The catch-all route's function (public) answers
 * 404 and 405 from the index alone, so it carries none of the other routes' schemas.
 */
/** The Lambda functions that serve routes; each is one concern. */
export const routedFunctions = ['public', 'enrollment', 'challenge', 'verify', 'prompt', 'devices', 'admin', 'console', 'docs'] as const;
export type RoutedFunction = (typeof routedFunctions)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface IndexedRoute {
  method: HttpMethod;
  /** API Gateway syntax: `/v1/users/{userId}` */
  path: string;
  fn: RoutedFunction;
}

/** In the route table's order: each function's routes in turn (routes.ts). */
export const routeIndex = {
  // public
  health: { method: 'GET', path: '/health', fn: 'public' },
  jwks: { method: 'GET', path: '/.well-known/jwks.json', fn: 'public' },
  // enrollment
  putUser: { method: 'PUT', path: '/v1/users/{userId}', fn: 'enrollment' },
  getUser: { method: 'GET', path: '/v1/users/{userId}', fn: 'enrollment' },
  deleteUser: { method: 'DELETE', path: '/v1/users/{userId}', fn: 'enrollment' },
  disableTwoFactor: { method: 'DELETE', path: '/v1/users/{userId}/two-factor', fn: 'enrollment' },
  createFactor: { method: 'POST', path: '/v1/users/{userId}/factors', fn: 'enrollment' },
  listFactors: { method: 'GET', path: '/v1/users/{userId}/factors', fn: 'enrollment' },
  verifyFactor: { method: 'POST', path: '/v1/users/{userId}/factors/{factorId}/verify', fn: 'enrollment' },
  deleteFactor: { method: 'DELETE', path: '/v1/users/{userId}/factors/{factorId}', fn: 'enrollment' },
  getRecoveryCodes: { method: 'GET', path: '/v1/users/{userId}/recovery-codes', fn: 'enrollment' },
  regenerateRecoveryCodes: { method: 'POST', path: '/v1/users/{userId}/recovery-codes', fn: 'enrollment' },
  // devices
  listDevices: { method: 'GET', path: '/v1/users/{userId}/devices', fn: 'devices' },
  revokeDevice: { method: 'DELETE', path: '/v1/users/{userId}/devices/{deviceId}', fn: 'devices' },
  revokeAllDevices: { method: 'DELETE', path: '/v1/users/{userId}/devices', fn: 'devices' },
  // challenge
  createChallenge: { method: 'POST', path: '/v1/users/{userId}/challenges', fn: 'challenge' },
  resendChallenge: { method: 'POST', path: '/v1/challenges/{challengeId}/resend', fn: 'challenge' },
  getChallenge: { method: 'GET', path: '/v1/challenges/{challengeId}', fn: 'challenge' },
  // verify
  verifyChallenge: { method: 'POST', path: '/v1/challenges/{challengeId}/verify', fn: 'verify' },
  // prompt
  createPrompt: { method: 'POST', path: '/v1/prompts', fn: 'prompt' },
  exchangePromptCode: { method: 'POST', path: '/v1/prompts/token', fn: 'prompt' },
  promptPage: { method: 'GET', path: '/prompt/{promptId}', fn: 'prompt' },
  promptAction: { method: 'POST', path: '/prompt/{promptId}', fn: 'prompt' },
  // admin
  getPolicy: { method: 'GET', path: '/v1/policy', fn: 'admin' },
  putPolicy: { method: 'PUT', path: '/v1/policy', fn: 'admin' },
  patchPolicy: { method: 'PATCH', path: '/v1/policy', fn: 'admin' },
  listUsers: { method: 'GET', path: '/v1/admin/users', fn: 'admin' },
  unlockUser: { method: 'POST', path: '/v1/admin/users/{userId}/unlock', fn: 'admin' },
  resetUser: { method: 'POST', path: '/v1/admin/users/{userId}/reset', fn: 'admin' },
  adminRegenerateRecoveryCodes: { method: 'POST', path: '/v1/admin/users/{userId}/recovery-codes', fn: 'admin' },
  overview: { method: 'GET', path: '/v1/admin/overview', fn: 'admin' },
  audit: { method: 'GET', path: '/v1/admin/audit', fn: 'admin' },
  listApiKeys: { method: 'GET', path: '/v1/admin/api-keys', fn: 'admin' },
  createApiKey: { method: 'POST', path: '/v1/admin/api-keys', fn: 'admin' },
  revokeApiKey: { method: 'DELETE', path: '/v1/admin/api-keys/{keyId}', fn: 'admin' },
  importUsers: { method: 'POST', path: '/v1/admin/imports', fn: 'admin' },
  // console
  consolePage: { method: 'GET', path: '/console', fn: 'console' },
  consoleScript: { method: 'GET', path: '/console/console.js', fn: 'console' },
  consoleStyles: { method: 'GET', path: '/console/console.css', fn: 'console' },
  consoleIcon: { method: 'GET', path: '/console/icon.svg', fn: 'console' },
  favicon: { method: 'GET', path: '/favicon.ico', fn: 'console' },
  // docs
  openapi: { method: 'GET', path: '/openapi.json', fn: 'docs' },
  docs: { method: 'GET', path: '/docs', fn: 'docs' },
  docsScript: { method: 'GET', path: '/docs/redoc.standalone.js', fn: 'docs' },
} as const satisfies Record<string, IndexedRoute>;

export type IndexedOperationId = keyof typeof routeIndex;

/** The index as a list, in the table's order. */
export const indexedRoutes = Object.entries(routeIndex).map(([operationId, r]) => ({ operationId: operationId as IndexedOperationId, ...(r as IndexedRoute) }));

/** Matches a concrete path against a path template, as API Gateway does; path parameters decoded. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
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

/** Matches a request against a list of routes (the table, or the index) in order. */
export function matchIn<R extends Pick<IndexedRoute, 'method' | 'path'>>(
  list: readonly R[],
  method: string,
  path: string,
): { route: R; pathParameters: Record<string, string>; pathKnown: true } | { route: undefined; pathKnown: boolean } {
  let pathKnown = false;
  for (const r of list) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    pathKnown = true;
    if (r.method === method) return { route: r, pathParameters: params, pathKnown: true };
  }
  return { route: undefined, pathKnown };
}

/** The methods a path accepts (a 405's Allow header), in the order they first appear in the index. */
export const allowedMethods = (path: string): HttpMethod[] =>
  [...new Set(indexedRoutes.map((r) => r.method))].filter((m) => matchIn(indexedRoutes, m, path).route);
