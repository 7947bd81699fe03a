/** Routes without a key: health, the signing keys (the OpenAPI document and its pages: routes/docs.ts). */
import { Health, Jwks } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const publicRoutes = [
  route({ operationId: 'health', method: 'GET', path: '/health', fn: 'public', scope: 'public', summary: 'Liveness check', response: Health, status: 200 }),
  route({ operationId: 'jwks', method: 'GET', path: '/.well-known/jwks.json', fn: 'public', scope: 'public', summary: 'The public keys that sign assertions', response: Jwks, status: 200 }),
] as const satisfies readonly RouteDefinition[];
