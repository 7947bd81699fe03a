/**
 * The demo's style sheet and script (packages/demo/public/app.css, app.js: its copy buttons), so
 * that the prompt looks and behaves like the screens it replaces: beside the bundle in Lambda
 * (infra/bundling.ts `bundledFiles`), in the demo package otherwise (the local runtime). Each is
 * read once per container and inlined with the response's CSP nonce.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const read = (file: string) => {
  try {
    return readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8');
  } catch {
    return readFileSync(createRequire(import.meta.url).resolve(`@twofold/demo/public/${file}`), 'utf8');
  }
};

let assets: { css: string; script: string } | undefined;

export function demoAssets(): { css: string; script: string } {
  assets ??= { css: read('app.css'), script: read('app.js') };
  return assets;
}
