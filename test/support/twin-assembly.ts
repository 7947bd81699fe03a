/**
 * vitest globalSetup: the cloud assembly the twin suites run (test/twin/, and the e2e suites of
 * the `twin` project): `cdk synth` of the app as `npm run twin` makes it, once per state of the
 * sources (kept in the system's temp directory, keyed by a hash of what goes into the bundles and
 * the template), or the one given in TWOFOLD_TWIN_CDK_OUT. Made beside the first test files, not before them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, TWIN_SETTINGS } from '@twofold/local/twin/synth';
import { failureOf } from './twin';

export const TWIN_ASSEMBLY_VARIABLE = 'TWOFOLD_TWIN_ASSEMBLY';

function hashSources(): string {
  const hash = createHash('sha256').update(JSON.stringify(TWIN_SETTINGS));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  for (const dir of ['infra', 'functions', 'packages']) walk(dir);
  hash.update(readFileSync('package-lock.json')).update(readFileSync('cdk.json'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Starts the synthesis and returns at once: it runs in a child process (cdk synth) while the
 * first test files run, and the twin's suites wait for it (test/support/twin.ts readyTwinAssembly).
 * It is written under another name and renamed when done, so a directory with the final name is
 * always a whole assembly; a failure is left beside it for the suites to report.
 */
export default function setup() {
  const given = process.env.TWOFOLD_TWIN_CDK_OUT;
  const dir = given ?? join(tmpdir(), `twofold-twin-${hashSources()}`);
  process.env[TWIN_ASSEMBLY_VARIABLE] = dir;
  if (given || existsSync(join(dir, 'manifest.json'))) return;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  rmSync(failureOf(dir), { force: true });
  const done = synthesize(building)
    .then(() => renameSync(building, dir))
    .catch((error: unknown) => writeFileSync(failureOf(dir), error instanceof Error ? error.message : String(error)));
  // the run does not end while cdk synth still writes
  return () => done;
}
