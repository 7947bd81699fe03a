/** Routes without a key: health, the OpenAPI document, the signing keys. */
import { Health, Jwks } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const publicRoutes = [
  route({ operationId: 'health', method: 'GET', path: '/health', fn: 'public', scope: 'public', summary: 'Liveness check', response: Health, status: 200 }),
  route({ operationId: 'openapi', method: 'GET', path: '/openapi.json', fn: 'public', scope: 'public', summary: 'This API as an OpenAPI 3.1 document', status: 200 }),
  route({ operationId: 'jwks', method: 'GET', path: '/.well-known/jwks.json', fn: 'public', scope: 'public', summary: 'The public keys that sign assertions', response: Jwks, status: 200 }),
] as const satisfies readonly RouteDefinition[];
