import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer';

/**
 * The e2e suites that also run on the deployment twin (`npm run twin`: the synthesized template,
 * each function from its bundle, IAM evaluated on every AWS call): together they touch every
 * route and every scheduled job once (test/twin/ adds the event relay). console.page and
 * events.two-factor also pass on the twin (`npx vitest run --project twin <file>`) but are left out
 * of the run for time (65 s and 25 s there). The others need what only npm start's in-process
 * runtime gives (injected senders and failures, a container shared by all functions).
 */
export const twinSuites = [
  'test/e2e/enrol-and-login.test.ts',
  'test/e2e/webauthn.enrol-and-login.test.ts',
  'test/e2e/admin.operations.test.ts',
  'test/e2e/otp.login.test.ts',
  'test/e2e/enforcement.grace.test.ts',
  'test/e2e/devices.trust.test.ts',
  'test/e2e/users.erasure.test.ts',
  'test/e2e/docs.page.test.ts',
  'test/e2e/prompt.flows.test.ts',
];

/**
 * The files that configure the process before they load the service (its log level, metrics on,
 * a function's environment): they get modules of their own, loaded after their settings.
 */
const ownProcess = ['test/e2e/console.page.test.ts', 'test/e2e/import.cli.test.ts', 'test/e2e/logs.no-secrets.test.ts', 'test/e2e/metrics.emf.test.ts', 'test/functions/own-wiring.test.ts'];

const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_DEV: 'false', POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' };

export default defineConfig({
  test: {
    // the console's browser code, built once per run: the local runtime serves it at /console;
    // one DynamoDB Local for the run, each file's stores with tables of their own on it; the
    // cloud assembly the twin runs, synthesized once per state of the sources
    globalSetup: ['test/support/console-build.ts', 'test/support/dynamodb-engine.ts', 'test/support/twin-assembly.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // two cores: keep the server-heavy files from starving each other
    maxWorkers: 2,
    // a project's files one after another, the longest first (test/support/sequencer.ts)
    sequence: { sequencer: LongestFirst },
    projects: [
      // metrics off (as npm start runs): their EMF lines would flood the output; the tests of the
      // metrics and of secrets in what is printed turn them on (metrics.emf, logs.no-secrets).
      // The files of a worker share their modules (isolate: false): the runtime, the AWS SDK and
      // the rest are loaded once per worker, not once per file (about 1.7 s a file on 2 cores).
      // What one file leaves behind is its own: tables, tenants and ports of its own, the SES
      // emulator's store read from where this runtime started.
      { extends: true, test: { name: 'local', include: ['test/**/*.test.ts'], exclude: ownProcess, env, isolate: false } },
      { extends: true, test: { name: 'local-own-modules', include: ownProcess, env } },
      { extends: true, test: { name: 'twin', include: twinSuites, env: { ...env, TWOFOLD_TEST_RUNTIME: 'twin' }, isolate: false } },
    ],
  },
});
