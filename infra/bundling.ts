/**
 * How every function is bundled, in one place: the CDK constructs hand these options to
 * NodejsFunction (esbuild, no Docker), and `npm run bench` builds with the very same ones to
 * report bundle sizes and cold import times.
 */
import { routedFunctions } from '@twofold/contract';

/** The functions that run on a schedule instead of serving routes (infra/constructs/schedules.ts says when). */
export const scheduledFunctions = ['event-relay', 'grace-expiry'] as const;
export type ScheduledFunctionName = (typeof scheduledFunctions)[number];

/** Every Lambda function, named by concern; each has its entry at functions/<name>.ts. */
export const lambdaFunctions = [...routedFunctions, 'authorizer', ...scheduledFunctions] as const;
export type LambdaFunctionName = (typeof lambdaFunctions)[number];

export const entryOf = (name: string) => `functions/${name}.ts`;

/**
 * Files a function reads beside its code, copied next to its bundle instead of bundled: the
 * API reference's renderer (about 1 MB) is read by the docs function only, on its first request.
 * Package-relative paths, resolved from node_modules.
 */
export const bundledFiles: Partial<Record<LambdaFunctionName, readonly string[]>> = {
  docs: ['redoc/bundles/redoc.standalone.js'],
};

export const bundling = {
  /** Lambda's runtime: Node.js 22 on arm64. */
  target: 'node22',
  format: 'esm' as const,
  minify: true,
  sourcemap: false,
  /** The Lambda runtime provides AWS SDK v3; leaving it out keeps bundles small. */
  externalModules: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  /** ESM bundles of CommonJS dependencies need `require`. */
  banner: "import { createRequire as __twofoldCreateRequire } from 'module'; const require = __twofoldCreateRequire(import.meta.url);",
} as const;
