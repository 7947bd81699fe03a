/**
 * The API documents itself: GET /openapi.json (no key) is an OpenAPI 3.1 document whose paths
 * and methods are exactly the route table's API operations (not the pages and assets served
 * beside them: a generated SDK would gain `consoleScript()`), under a license, every operation that needs a key says so, and
 * the server really serves every documented operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { errorCatalogue, routes as allRoutes } from '@twofold/contract';
import type { Json } from '../support/api';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let doc: Json;

/** The API's operations: what answers JSON (or nothing), not a page or a page's script, styles or icon. */
const routes = allRoutes.filter((r) => !('content' in r && r.content));

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

beforeAll(async () => {
  t = await testService();
  const r = await t.anon('GET', '/openapi.json');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  doc = r.body;
});
afterAll(() => t?.stop());

/** `METHOD /path` of every operation in the document. */
const documented = () =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => METHODS.includes(k))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([k]) => METHODS.includes(k))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );
const routeOf = (key: string) => routes.find((r) => `${r.method} ${r.path}` === key)!;

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1.x, served without a key', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it('names its license, the one of the LICENSE file', async () => {
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(await readFile(resolve(import.meta.dirname, '../../LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('holds no page or asset: not the console, its script, styles or icon, nor the reference pages or their renderer', () => {
    const ids = operations().map(({ op }) => op.operationId);
    for (const id of ['consolePage', 'consoleScript', 'consoleStyles', 'consoleIcon', 'docs', 'docsScript']) expect(ids).not.toContain(id);
    expect(ids).toEqual(expect.arrayContaining(['health', 'openapi']));
  });

  it('has exactly the paths and methods of the route table', () => {
    const table = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(new Set(table).size).toBe(table.length);
    expect(documented().sort()).toEqual(table);
  });

  it('gives each operation the operationId of its route, unique across the document', () => {
    const ids = operations().map(({ key, op }) => {
      expect(op.operationId, key).toBe(routeOf(key).operationId);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts security on every operation that needs a key, with a scheme that is defined, and none on public ones', () => {
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    expect(schemes.length).toBeGreaterThan(0);
    for (const { key, op } of operations()) {
      if (routeOf(key).scope === 'public') {
        expect(op.security ?? [], key).toEqual([]);
        continue;
      }
      expect(Array.isArray(op.security) && op.security.length > 0, `${key} has no security`).toBe(true);
      for (const requirement of op.security) for (const name of Object.keys(requirement)) expect(schemes, key).toContain(name);
    }
    expect(doc.components.securitySchemes[schemes[0]!]).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it("documents each operation's success status, and its path parameters", () => {
    for (const { key, op } of operations()) {
      const route = routeOf(key);
      expect(Object.keys(op.responses), key).toContain(String(route.status));
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
      expect(params.map((p: Json) => p.name).sort(), key).toEqual(inPath.sort());
      for (const p of params) expect(p.required, `${key} ${p.name}`).toBe(true);
    }
  });

  it('documents the error statuses of the routes that return them (a wrong code is 422, a lock 423)', () => {
    const verify = doc.paths['/v1/challenges/{challengeId}/verify'].post;
    for (const code of ['invalid_code', 'locked', 'challenge_expired', 'challenge_already_verified', 'challenge_not_found'] as const) {
      expect(Object.keys(verify.responses)).toContain(String(errorCatalogue[code].status));
    }
    const getUser = doc.paths['/v1/users/{userId}'].get;
    expect(Object.keys(getUser.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
  });
});

describe('the server serves what the document says', () => {
  it('every documented operation is routed: with the admin key none answers not_found or method_not_allowed', async () => {
    const sample: Record<string, string> = { userId: 'openapi-probe', factorId: 'f_AAAAAAAAAAAAAAAAAAAAAA', challengeId: 'ch_AAAAAAAAAAAAAAAAAAAAAA', deviceId: 'A'.repeat(22) };
    for (const { key } of operations()) {
      const [method, template] = key.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? 'x');
      const r = await t.admin(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(r.status, `${key} → ${r.text}`).toBeLessThan(500);
      expect(['not_found', 'method_not_allowed'], `${key} → ${r.text}`).not.toContain(r.body?.error?.code);
    }
  });

  it('an operation with security refuses a call without a key; a public one answers it', async () => {
    for (const { key, op } of operations()) {
      const [method, template] = key.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, 'x');
      const r = await t.anon(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      if (op.security?.length) expect(r.status, key).toBe(401);
      else expect(r.status, key).toBe(200);
    }
  });
});
