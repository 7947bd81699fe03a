/**
 * vitest globalSetup: one DynamoDB Local (in memory) for the whole run (Amazon's engine; `npm start`
 * runs on dynalite, which test/e2e/engines.*.test.ts cover). Every store a test asks
 * for in memory (startLocalDynamo without a path or an endpoint: the local runtime, the test
 * harnesses) gets tables of its own on it, instead of a Java process of its own per file (a few
 * seconds of start-up each, on 2 cores). A data directory (restart tests) still gets its own engine.
 */
import { localEngineOf, SHARED_ENGINE_VARIABLE, startLocalDynamo } from '@twofold/local/dynamodb-local';

/** TWOFOLD_TEST_ENGINE=dynalite runs the whole suite on `npm start`'s engine instead (by hand; CI runs it on DynamoDB Local). */
const engineOfRun = localEngineOf(process.env.TWOFOLD_TEST_ENGINE) ?? 'dynamodb-local';

export default async function setup() {
  // vitest runs a globalSetup once for each project (local, local-own-modules, twin), all in its
  // one main process: the first starts the engine, the others use it
  if (process.env[SHARED_ENGINE_VARIABLE]) return;
  const engine = await startLocalDynamo({ engine: engineOfRun, tablePrefix: 'suite' });
  process.env[SHARED_ENGINE_VARIABLE] = engine.endpoint;
  return async () => {
    delete process.env[SHARED_ENGINE_VARIABLE];
    await engine.stop();
  };
}
