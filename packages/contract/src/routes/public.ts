/** Routes without a key: health, the signing keys (the OpenAPI document and its pages: routes/docs.ts). */
import { Health, Jwks } from '../schemas';
import { route, type RouteDefinition } from '../route-definition';

export const publicRoutes = [
  route('health', { scope: 'public', summary: 'Liveness check', response: Health, status: 200 }),
  route('jwks', { scope: 'public', summary: 'The public keys that sign assertions', response: Jwks, status: 200 }),
] as const satisfies readonly RouteDefinition[];
