/**
 * The docs function as Lambda runs it: built with the stack's esbuild options (infra/bundling.ts)
 * into a directory with only its bundle and the files `bundledFiles` copies beside it (no
 * node_modules), then called. The ~1 MB renderer is beside the bundle, not in it, and the
 * OpenAPI document's builder is in this bundle only: the public function (health, keys, the
 * catch-all route) carries neither.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bundledFiles, bundling, esbuildOptionsOf, loadedAtImport } from '../../infra/bundling';

let dir: string;

/** The function's entry, and the bytes of what importing it loads (the entry and its static chunks). */
async function bundle(name: 'docs' | 'public', outDir: string, external?: readonly string[]): Promise<{ entry: string; loadedBytes: number; code: string }> {
  const { metafile } = await esbuild.build({ ...esbuildOptionsOf(name, outDir, external), metafile: true });
  const { loaded, lazy } = loadedAtImport(metafile, name);
  // every file of the asset, the lazy chunks too: what must not be there is nowhere in it
  const code = [...loaded, ...lazy].map((part) => readFileSync(part.path, 'utf8')).join('\n');
  return { entry: join(outDir, 'index.mjs'), loadedBytes: loaded.reduce((n, part) => n + part.bytes, 0), code };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twofold-docs-'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the docs function bundle', () => {
  it('serves the document, the page and the renderer from its own directory, the renderer not in the bundle', async () => {
    const outDir = join(dir, 'docs');
    const { entry, loadedBytes } = await bundle('docs', outDir);
    const require = createRequire(import.meta.url);
    for (const file of bundledFiles.docs ?? []) copyFileSync(require.resolve(file), join(outDir, basename(file)));

    expect(loadedBytes).toBeLessThan(150 * 1024);
    const { handler } = (await import(pathToFileURL(entry).href)) as { handler: (event: unknown) => Promise<APIGatewayProxyStructuredResultV2> };
    const event = (routeKey: string, headers: Record<string, string> = {}) => ({ routeKey, headers, requestContext: {} });

    const document = await handler(event('GET /openapi.json', { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' }));
    expect(document.statusCode).toBe(200);
    const doc = JSON.parse(document.body!) as { openapi: string; servers: unknown };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://abc123.execute-api.eu-west-1.amazonaws.com' }]);
    // a Host that is not a host name is not echoed into the document
    const spoofed = JSON.parse((await handler(event('GET /openapi.json', { host: 'evil.example/"><script>' }))).body!) as { servers: { url: string }[] };
    expect(spoofed.servers[0]!.url).toBe('http://127.0.0.1:3000');

    const page = await handler(event('GET /docs'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<redoc spec-url="openapi.json"');
    const script = await handler(event('GET /docs/redoc.standalone.js'));
    expect(script.statusCode).toBe(200);
    expect(script.body!.length).toBeGreaterThan(500_000);
    const gzipped = await handler(event('GET /docs/redoc.standalone.js', { 'accept-encoding': 'gzip, deflate, br' }));
    expect(gzipped).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: expect.objectContaining({ 'content-encoding': 'gzip' }) });
    // well within Lambda's 6 MB response payload
    expect(gzipped.body!.length).toBeLessThan(1024 * 1024);
  }, 60_000);

  it('the public function carries neither the renderer nor the document builder', async () => {
    const { code } = await bundle('public', join(dir, 'public'));
    // Redoc's own code (React, mobx, styled-components), the operations' texts, the JSON Schema output
    for (const part of ['mobx', 'styled-components', "Call it after the user's password checked out", '#/components/schemas/', '$defs']) expect(code).not.toContain(part);
    // the functions' target is 150 KB of their own code (docs/bench.md; the deployed bundle also
    // carries the AWS SDK): the catch-all answers 404/405 from the schema-free route index
    const own = await bundle('public', join(dir, 'public-own'), [...bundling.externalModules, bundling.runtimeSdk]);
    expect(own.loadedBytes).toBeLessThan(150 * 1024);
  }, 60_000);
});
