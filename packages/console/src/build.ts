/**
 * Builds the console's browser code with esbuild: the TypeScript under browser/ into one
 * minified script, the style sheet, and the page that loads both by a versioned URL with
 * Subresource Integrity. The result is one JSON file, dist/console.json, that the console
 * function imports (inlined into its Lambda bundle by esbuild, read by the local runtime through
 * tsx), so that both serve the same bytes.
 *
 * Who runs it: `npm start` (prestart), the tests (vitest globalSetup), and the console
 * function's bundling (infra/bundling.ts, before esbuild bundles the function). Run it by hand
 * with `npx tsx packages/console/src/build.ts`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import type { ConsoleAssets } from './assets';

const here = dirname(fileURLToPath(import.meta.url));
const browser = join(here, 'browser');
export const consoleAssetsFile = join(here, '..', 'dist', 'console.json');

/** Browsers the console supports: evergreen ones (the dialog element, sessionStorage, fetch, SVG). */
const browserTargets = ['chrome120', 'firefox121', 'safari17', 'edge120'];

const sri = (text: string) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
const version = (...texts: string[]) => createHash('sha256').update(texts.join('\0')).digest('hex').slice(0, 16);

function bundle(entry: string): string {
  const out = buildSync({
    entryPoints: [join(browser, entry)],
    bundle: true,
    write: false,
    minify: true,
    // a classic script (defer): nothing global leaks, nothing needs import maps
    format: 'iife',
    platform: 'browser',
    target: browserTargets,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export function buildConsoleAssets(): ConsoleAssets {
  const script = bundle('main.ts');
  const styles = bundle('console.css');
  const icon = readFileSync(join(browser, 'icon.svg'), 'utf8');
  const v = version(script, styles, icon);
  // relative URLs: the page works at /console whatever base path the API sits under
  const page = readFileSync(join(browser, 'index.html'), 'utf8')
    .replaceAll('{{styles}}', `console/console.css?v=${v}`)
    .replaceAll('{{stylesIntegrity}}', sri(styles))
    .replaceAll('{{script}}', `console/console.js?v=${v}`)
    .replaceAll('{{scriptIntegrity}}', sri(script))
    .replaceAll('{{icon}}', `console/icon.svg?v=${v}`);
  return { version: v, page, script, styles, icon };
}

/** Builds and writes dist/console.json (atomically: a reader never sees half a file). */
export function writeConsoleAssets(file = consoleAssetsFile): ConsoleAssets {
  const assets = buildConsoleAssets();
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(assets));
  renameSync(partial, file);
  return assets;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { version: v, script, styles } = writeConsoleAssets();
  console.log(`console ${v}: script ${(script.length / 1024).toFixed(1)} KB, styles ${(styles.length / 1024).toFixed(1)} KB → ${consoleAssetsFile}`);
}
