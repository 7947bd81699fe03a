/**
 * The order the files start in: a project's files one after another, the longest first. vitest
 * keeps a worker (its loaded modules: the runtime, the AWS SDK) for the next file only when that
 * file is of the same project (and the project does not isolate): in an order that mixes the
 * projects, most files start a fresh worker and load everything again (32 workers in a run that,
 * grouped, starts 13: the workers' CPU went from 320 to 245 core-seconds, measured here). The
 * projects that isolate their files (a fresh worker each) go first, then the twin's, then the
 * local ones, whose many short files end the run so that the two workers end together. Without
 * vitest's cache of the last run's times (a fresh clone, CI), a file's time is the figure below
 * (seconds, measured here on 2 cores), else 1 s.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** `<project>:<file>`: seconds a run took, for the files that take 3 s or more. */
const MEASURED: Record<string, number> = {
  'twin:test/e2e/prompt.flows.test.ts': 25,
  'local:test/faults/use-cases.faults.test.ts': 26,
  'local:test/twin/iam.mutations.test.ts': 25,
  'local:test/demo/demo.flows.test.ts': 25,
  'local:test/e2e/prompt.flows.test.ts': 20,
  'local-own-modules:test/e2e/console.page.test.ts': 15,
  'local:test/e2e/restart.persistence.test.ts': 14,
  'local-own-modules:test/e2e/import.cli.test.ts': 11,
  'local:test/adapters/send-throttle.sharded.test.ts': 10,
  'local:test/e2e/tenant-quota.noisy-neighbour.test.ts': 9,
  'local:test/e2e/engines.guarantees.test.ts': 7,
  'local:test/e2e/webauthn.enrol-and-login.test.ts': 7,
  'local:test/e2e/overview.counters.property.test.ts': 7,
  'local-own-modules:test/functions/own-wiring.test.ts': 6.5,
  'local:test/e2e/attempts.parallel-guesses.test.ts': 6.4,
  'local:test/e2e/grace-expiry.concurrency.test.ts': 6.4,
  'local:test/e2e/webauthn.refusals.test.ts': 6,
  'local:test/e2e/local-runtime.test.ts': 5.8,
  'local:test/functions/totp-path.bundle.test.ts': 5,
  'local:test/e2e/openapi.tooling.test.ts': 4.6,
  'local:test/demo/demo.prompt.test.ts': 4.6,
  'local:test/local/dynalite-engine.test.ts': 4.2,
  'local:test/e2e/challenge.eviction.test.ts': 3.8,
  'local:test/e2e/smoke.local.test.ts': 3.7,
  'twin:test/e2e/admin.operations.test.ts': 3.6,
  'local:test/e2e/bad-input.test.ts': 3.3,
  'local:test/twin/twin.iam.test.ts': 3.3,
  'twin:test/e2e/webauthn.enrol-and-login.test.ts': 3.2,
  'twin:test/e2e/enrol-and-login.test.ts': 3.1,
  'local:test/e2e/events.two-factor.test.ts': 3,
  'local:test/functions/docs.bundle.test.ts': 3,
};

/** The projects in the order their files run. */
const PROJECT_ORDER = ['local-own-modules', 'twin', 'local'];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification) => {
      const key = `${spec.project.name}:${relative(root, spec.moduleId)}`;
      const last = this.ctx.cache.getFileTestResults(key);
      return last ? last.duration / 1000 : (MEASURED[key] ?? 1);
    };
    const rank = (spec: TestSpecification) => PROJECT_ORDER.indexOf(spec.project.name);
    return [...files].sort((a, b) => rank(a) - rank(b) || seconds(b) - seconds(a));
  }
}
