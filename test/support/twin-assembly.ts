/**
 * vitest globalSetup: the cloud assembly the twin suites run (test/twin/, and the e2e suites of
 * the `twin` project): `cdk synth` of the app as `npm run twin` makes it, once per state of the
 * sources (kept in the system's temp directory, keyed by a hash of what goes into the bundles and
 * the template), or the one given in TWOFOLD_TWIN_CDK_OUT.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize, TWIN_SETTINGS } from '@twofold/local/twin/synth';

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
 * Synthesized before the first file runs (made beside the first files, on 2 cores, the synthesis
 * and the tests slowed each other until the twin's first suites timed out waiting). It is written
 * under another name and renamed when done, so a directory with the final name is always a whole
 * assembly, also with two runs on one machine at once (the first rename wins; both are the same).
 */
export default async function setup() {
  // vitest runs a globalSetup once for each project, in one process: the first makes it
  if (process.env[TWIN_ASSEMBLY_VARIABLE]) return;
  const given = process.env.TWOFOLD_TWIN_CDK_OUT;
  const dir = given ?? join(tmpdir(), `twofold-twin-${hashSources()}`);
  process.env[TWIN_ASSEMBLY_VARIABLE] = dir;
  if (given || existsSync(join(dir, 'manifest.json'))) return;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  await synthesize(building);
  try {
    renameSync(building, dir);
  } catch (error) {
    if (!existsSync(join(dir, 'manifest.json'))) throw error;
    rmSync(building, { recursive: true, force: true });
  }
}
