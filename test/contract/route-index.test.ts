/**
 * The route index (method, path, function: no schemas) is what the catch-all route answers 404
 * and 405 from, and what the route table is built from: the two must never disagree.
 */
import { describe, expect, it } from 'vitest';
import { allowedMethods, indexedRoutes, matchIn, matchRoute, routeIndex, routes, type HttpMethod } from '@twofold/contract';

const methods: HttpMethod[] = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];

describe('the route index', () => {
  it('is the route table without its schemas: the same operations, in the same order, with the same method, path and function', () => {
    expect(routes.map((r) => ({ operationId: r.operationId, method: r.method, path: r.path, fn: r.fn }))).toEqual(indexedRoutes);
    expect(Object.keys(routeIndex)).toHaveLength(routes.length);
  });

  it('names each method and path once', () => {
    const keys = indexedRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  const paths = [...new Set(routes.map((r) => r.path.replace(/\{[^}]+\}/g, 'x%20y')))].concat(['/', '/nope', '/v1/users/', '/v1/users/u1/other', '/v1/users/%E0%A4%A']);
  it.each(paths)('answers %s as the table does (a 404, a 405 and its Allow, or the route)', (path) => {
    for (const method of methods) {
      const byIndex = matchIn(indexedRoutes, method, path);
      const byTable = matchRoute(method, path);
      expect(byIndex.pathKnown).toBe(byTable.pathKnown);
      expect(byIndex.route?.operationId).toBe(byTable.route?.operationId);
    }
    expect(allowedMethods(path)).toEqual([...new Set(routes.map((r) => r.method))].filter((m) => matchRoute(m, path).route));
  });
});
