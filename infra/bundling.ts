/**
 * How every function is bundled, in one place: the CDK construct builds each function's asset
 * with `bundleFunction` (the local esbuild, no Docker), and `npm run bench` and the bundle tests
 * build with the very same options to report sizes and cold import times.
 *
 * Code splitting: each function is an entry `index.mjs` and chunks beside it (chunks/). What a
 * TOTP login or a TOTP enrolment needs is the entry and what it imports statically; the core
 * reaches the passkey checks (@simplewebauthn/server, with its x509/ASN.1 libraries) and the full
 * phone metadata (libphonenumber-js/max) only through `await import()`, and each such import is
 * a chunk of its own, read from disk the first time a passkey is answered or a phone enrolled.
 * NodejsFunction writes one file (`--outfile`), so the stack bundles with its own local bundling.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import * as esbuild from 'esbuild';
import { routedFunctions } from '@twofold/contract';

/** The functions that run on a schedule instead of serving routes (infra/constructs/schedules.ts says when). */
export const scheduledFunctions = ['event-relay', 'grace-expiry'] as const;
export type ScheduledFunctionName = (typeof scheduledFunctions)[number];

/**
 * Every Lambda function, named by concern; each has its entry at functions/<name>.ts. No
 * authorizer: each API function checks the caller's key itself, with a per-container cache
 * (one Lambda invocation per request).
 */
export const lambdaFunctions = [...routedFunctions, ...scheduledFunctions] as const;
export type LambdaFunctionName = (typeof lambdaFunctions)[number];

export const entryOf = (name: string) => `functions/${name}.ts`;

/**
 * Files a function reads beside its code, copied next to its bundle instead of bundled: the
 * API reference's renderer (about 1 MB) is read by the docs function only, on its first request.
 * Package-relative paths, resolved from node_modules.
 */
export const bundledFiles: Partial<Record<LambdaFunctionName, readonly string[]>> = {
  docs: ['redoc/bundles/redoc.standalone.js'],
  // the demo's style sheet and script: the prompt's pages look like the screens they replace (packages/prompt/src/style.ts)
  prompt: ['@twofold/demo/public/app.css', '@twofold/demo/public/app.js'],
};

/**
 * Commands that must run, from the repository root, before a function is bundled: the console's
 * browser code is built (esbuild) into the JSON its function imports (packages/console/src/build.ts).
 */
export const beforeBundling: Partial<Record<LambdaFunctionName, readonly string[]>> = {
  console: ['npx tsx packages/console/src/build.ts'],
};

export const bundling = {
  /** Lambda's runtime: Node.js 22 on arm64. */
  target: 'node22',
  format: 'esm' as const,
  minify: true,
  sourcemap: false,
  /**
   * The AWS SDK is bundled (tree-shaken, minified) rather than taken from the Lambda runtime's
   * copy: a function's cold import measured 1.5-2x faster that way (verify ~300 vs ~460 ms,
   * challenge ~280 vs ~560 ms on the bench machine; `npm run bench` measures both every run and
   * reports them side by side), because one minified file loads faster than the hundreds of
   * files of the SDK's CommonJS packages. It also pins the SDK version the tests ran with. The
   * tracer is imported only when tracing is on (runtime/tracing.ts): left out unless the
   * deployment traces (see `externalModulesFor`).
   */
  externalModules: ['@aws-lambda-powertools/tracer'],
  /** What the bench builds for comparison: the SDK left to the Lambda runtime's copy. */
  runtimeSdk: '@aws-sdk/*',
  mainFields: ['module', 'main'],
  /** ESM bundles of CommonJS dependencies need `require`. */
  banner: "import { createRequire as __twofoldCreateRequire } from 'module'; const require = __twofoldCreateRequire(import.meta.url);",
} as const;

/** The external modules of a deployment's bundles: with tracing on, the tracer is bundled. */
export const externalModulesFor = (options: { tracing: boolean }) =>
  bundling.externalModules.filter((m) => !(options.tracing && m.startsWith('@aws-lambda-powertools/tracer')));

/** The entry file of every function's asset: Lambda's handler is `index.handler`. */
export const ENTRY_MODULE = 'index';
export const HANDLER = `${ENTRY_MODULE}.handler`;

/**
 * The esbuild options of a function's asset, written into `outdir`: the entry `index.mjs` and its
 * chunks (chunks/<name>-<hash>.mjs, loaded by relative import). The stack, the bench and the tests
 * that run bundles as Lambda does all build with these.
 */
export const esbuildOptionsOf = (name: string, outdir: string, external: readonly string[] = bundling.externalModules) => ({
  entryPoints: { [ENTRY_MODULE]: entryOf(name) },
  bundle: true,
  platform: 'node' as const,
  outdir,
  // splitting needs ESM; each dynamic import() becomes a chunk loaded only when that code runs
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  format: bundling.format,
  target: bundling.target,
  minify: bundling.minify,
  sourcemap: bundling.sourcemap,
  external: [...external],
  mainFields: [...bundling.mainFields],
  // in every chunk: each is a module of its own, and any may hold CommonJS code calling require
  banner: { js: bundling.banner },
  logLevel: 'silent' as const,
});

/**
 * Builds a function's asset into `outdir` as the stack deploys it, from the repository `root`:
 * the commands of `beforeBundling`, esbuild, then the files of `bundledFiles` copied beside the
 * entry. Synchronous: CDK's local bundling (ILocalBundling.tryBundle) is.
 */
export function bundleFunction(name: LambdaFunctionName, outdir: string, options: { root: string; tracing: boolean }): esbuild.Metafile {
  // their output to stderr, as CDK's own bundling sends it: stdout is the synth's
  for (const command of beforeBundling[name] ?? []) execSync(command, { cwd: options.root, stdio: ['ignore', 2, 2] });
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  const { metafile } = esbuild.buildSync({ ...esbuildOptionsOf(name, outdir, externalModulesFor(options)), absWorkingDir: options.root, metafile: true, logLevel: 'error' });
  const require = createRequire(join(options.root, 'package.json'));
  for (const file of bundledFiles[name] ?? []) {
    const path = require.resolve(file);
    copyFileSync(path, join(outdir, basename(path)));
  }
  return metafile;
}

/** An output file of a build, by its path as the metafile names it. */
export interface OutputPart {
  path: string;
  bytes: number;
  /** The inputs it holds and their bytes in it (node_modules paths name their package). */
  inputs: Record<string, number>;
}

/**
 * What importing the entry loads (the entry and the chunks it imports statically, transitively:
 * a TOTP login's or enrolment's code) and what only a dynamic import loads (the lazy chunks),
 * from a build's metafile.
 */
export function loadedAtImport(metafile: esbuild.Metafile, name: string): { entry: string; loaded: OutputPart[]; lazy: OutputPart[] } {
  const outputs = metafile.outputs;
  const part = (path: string): OutputPart => ({
    path,
    bytes: outputs[path]?.bytes ?? 0,
    inputs: Object.fromEntries(Object.entries(outputs[path]?.inputs ?? {}).map(([input, i]) => [input, i.bytesInOutput])),
  });
  // each dynamic import's target is an entry point of its own too: the function's is its source file
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === entryOf(name) && path.endsWith('.mjs'));
  if (!entry) throw new Error(`the build has no entry chunk for ${entryOf(name)}`);
  const loaded = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (loaded.has(path)) continue;
    loaded.add(path);
    for (const i of outputs[path]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) pending.push(i.path);
  }
  const scripts = Object.keys(outputs).filter((path) => path.endsWith('.mjs'));
  return { entry, loaded: [...loaded].map(part), lazy: scripts.filter((path) => !loaded.has(path)).map(part) };
}
