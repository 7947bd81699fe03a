/**
 * The API's reference (no key): GET /openapi.json, the OpenAPI document built from the contract
 * (on the first request, then kept); GET /docs, a page that renders it with Redoc; GET
 * /docs/redoc.standalone.js, Redoc's standalone bundle, served from here: no CDN, and the page's
 * Content-Security-Policy allows scripts from this origin only.
 *
 * A function of its own, off every login's path: the renderer (about 1 MB) is in no bundle
 * (infra copies the file beside this function's code, infra/bundling.ts `bundledFiles`) and is
 * read, once, only here; the document's builder (zod's JSON Schema output, the texts and
 * examples of every operation) is in this bundle only. No tables, no keys, no config.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildOpenApiDocument } from '@twofold/contract/openapi';
import { docsRoutes, docsScriptPath } from '@twofold/contract/routes/docs';
import { routeKeyOf } from '@twofold/contract/route-definition';
import { errorResponse, jsonHeaders } from '@twofold/runtime/http-errors';
import type { HttpEvent } from '@twofold/runtime/http-function';
import { requestOrigin } from '@twofold/runtime/request-origin';

/** The renderer's file name: beside the bundle in Lambda, in the redoc package otherwise (the local runtime). */
const script = 'redoc.standalone.js';

/**
 * Scripts only from this origin (the page has no inline script: Redoc starts itself on the
 * `<redoc>` element). Styles: Redoc's styled-components writes <style> elements and React
 * style attributes at run time, so styles must allow inline. Its search runs in a Worker made
 * from a blob. The document is fetched from this origin; nothing else may be.
 */
const pageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// relative URLs: the page works under any base path the API is mounted at
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Twofold API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="openapi.json" expand-responses="200,201,202" required-props-first="true" path-in-middle-panel="true"></redoc>
<script src="${docsScriptPath.slice(1)}"></script>
</body>
</html>
`;

const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/**
 * Redoc 2's sidebar shows its logo from cdn.redoc.ly, unconditionally: served here, the script
 * shows a blank image instead, so the page asks no other site for anything (the attribution
 * text and link stay). The docs page test fails if a new Redoc asks another site again.
 */
const cdnLogo = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const blankImage = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

let scriptFile: Promise<{ plain: string; gzipped: string }> | undefined;
const loadScript = () =>
  (scriptFile ??= readScript().then((file) => {
    const plain = file.toString('utf8').replaceAll(cdnLogo, blankImage);
    return { plain, gzipped: gzipSync(plain).toString('base64') };
  }));

async function readScript(): Promise<Buffer> {
  try {
    return await readFile(fileURLToPath(new URL(script, import.meta.url)));
  } catch {
    return readFile(createRequire(import.meta.url).resolve(`redoc/bundles/${script}`));
  }
}

let openApi: Record<string, unknown> | undefined;

const [documentRoute, pageRoute, scriptRoute] = docsRoutes.map(routeKeyOf);

export const handler = async (event: HttpEvent): Promise<APIGatewayProxyStructuredResultV2> => {
  if (event.routeKey === documentRoute) {
    // built once; each answer names the address it was asked at
    const doc = (openApi ??= buildOpenApiDocument());
    const url = requestOrigin(event);
    return { statusCode: 200, headers: { ...jsonHeaders, ...common }, body: JSON.stringify(url ? { ...doc, servers: [{ url }] } : doc) };
  }
  if (event.routeKey === pageRoute) {
    return {
      statusCode: 200,
      headers: { ...common, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageCsp, 'cache-control': 'no-cache' },
      body: page,
    };
  }
  if (event.routeKey === scriptRoute) {
    const file = await loadScript();
    const headers = { ...common, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', vary: 'accept-encoding' };
    // about 1.1 MB, 330 KB gzipped: well within Lambda's 6 MB response
    if (/\bgzip\b/.test(event.headers?.['accept-encoding'] ?? '')) {
      return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: file.gzipped, isBase64Encoded: true };
    }
    return { statusCode: 200, headers, body: file.plain };
  }
  return errorResponse('not_found');
};
