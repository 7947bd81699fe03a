import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the console's browser code, built once per run: the local runtime serves it at /console;
    // one DynamoDB Local for the run, each file's stores with tables of their own on it
    globalSetup: ['test/support/console-build.ts', 'test/support/dynamodb-engine.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // two cores: keep the server-heavy files from starving each other
    maxWorkers: 2,
    // metrics off (as npm start runs): their EMF lines would flood the output; the tests of the
    // metrics and of secrets in what is printed turn them on (metrics.emf, logs.no-secrets)
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_DEV: 'false', POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
