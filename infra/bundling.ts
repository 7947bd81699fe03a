/**
 * How every function is bundled, in one place: the CDK constructs hand these options to
 * NodejsFunction (esbuild, no Docker), and `npm run bench` builds with the very same ones to
 * report bundle sizes and cold import times.
 */
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

/**
 * The esbuild options of a function's bundle, for builds outside CDK (the bench, the tests that
 * run bundles as Lambda does): the same options NodejsFunction is given.
 */
export const esbuildOptionsOf = (name: string, outfile: string, external: readonly string[] = bundling.externalModules) => ({
  entryPoints: [entryOf(name)],
  bundle: true,
  platform: 'node' as const,
  outfile,
  format: bundling.format,
  target: bundling.target,
  minify: bundling.minify,
  sourcemap: bundling.sourcemap,
  external: [...external],
  mainFields: [...bundling.mainFields],
  banner: { js: bundling.banner },
  logLevel: 'silent' as const,
});
