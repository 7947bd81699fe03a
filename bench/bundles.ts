/**
 * Each Lambda bundle built with the options the CDK stack uses (infra/bundling.ts: the AWS SDK
 * bundled), its minified size and biggest inputs, and how long a fresh Node process takes to
 * import it; beside it the same function built with the SDK left to the Lambda runtime's copy,
 * and the import of just the SDK clients the function uses.
 */
import { execFile, execSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { beforeBundling, bundling, esbuildOptionsOf, lambdaFunctions } from '../infra/bundling';
import { childEnv } from './env';
import { median } from './stats';

const run = promisify(execFile);

export interface BundleInput {
  path: string;
  kb: number;
}

export interface BundleResult {
  name: string;
  file: string;
  kb: number;
  /** The biggest contributors, from the esbuild metafile: by file and by package. */
  largestInputs: BundleInput[];
  largestPackages: BundleInput[];
  /** The AWS SDK packages the function uses (from a build that leaves them to Lambda's runtime copy). */
  sdkImports: string[];
  /** The same function built with the SDK left out (the runtime's copy): its size and cold import. */
  runtimeSdk?: { file: string; kb: number; importMs?: number };
  importMs?: number;
  importRunsMs?: number[];
  /** Median time to import just `sdkImports` in a fresh process: the part of importMs that is not the bundle's own code. */
  sdkImportMs?: number;
  importError?: string;
  buildError?: string;
}

const kb = (bytes: number) => bytes / 1024;

/** `node_modules/a/…` → `a`, `node_modules/@s/a/…` → `@s/a`, anything else → `(this repo) <dir>` */
function packageOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1]!;
  const top = path.split('/').slice(0, 2).join('/');
  return top;
}

export async function buildBundles(root: string, top: number): Promise<BundleResult[]> {
  const outDir = join(root, '.bench', 'bundles');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const results: BundleResult[] = [];
  const build = (name: string, file: string, external: string[]) => esbuild.build({ ...esbuildOptionsOf(name, file, external), absWorkingDir: root, write: true, metafile: true });
  for (const name of lambdaFunctions) {
    const file = join(outDir, `${name}.mjs`);
    const runtimeSdkFile = join(outDir, `${name}.runtime-sdk.mjs`);
    try {
      // as the CDK stack does before bundling (the console's browser build)
      for (const command of beforeBundling[name] ?? []) execSync(command, { cwd: root, stdio: 'ignore' });
      const out = await build(name, file, [...bundling.externalModules]);
      const size = kb(statSync(file).size);
      const output = Object.values(out.metafile.outputs)[0]!;
      // the same function with the SDK left to the runtime: what it imports of it, and how that starts
      const withoutSdk = Object.values((await build(name, runtimeSdkFile, [...bundling.externalModules, bundling.runtimeSdk])).metafile.outputs)[0]!;
      const sdkImports = [...new Set(withoutSdk.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
      const inputs = Object.entries(output.inputs).map(([path, i]) => ({ path, kb: kb(i.bytesInOutput) }));
      const byPackage = new Map<string, number>();
      for (const i of inputs) byPackage.set(packageOf(i.path), (byPackage.get(packageOf(i.path)) ?? 0) + i.kb);
      const largest = (items: BundleInput[]) => [...items].sort((a, b) => b.kb - a.kb).slice(0, top);
      results.push({
        name,
        file,
        kb: size,
        sdkImports,
        runtimeSdk: { file: runtimeSdkFile, kb: kb(statSync(runtimeSdkFile).size) },
        largestInputs: largest(inputs),
        largestPackages: largest([...byPackage].map(([path, total]) => ({ path, kb: total }))),
      });
    } catch (error) {
      results.push({ name, file, kb: NaN, sdkImports: [], largestInputs: [], largestPackages: [], buildError: (error as Error).message.split('\n')[0]! });
    }
  }
  return results;
}

/** Times `await import(...)` of `specifiers` in `runs` fresh `node` processes, one at a time. */
async function timeImports(specifiers: string[], runs: number, cwd: string, env: NodeJS.ProcessEnv): Promise<{ runsMs: number[] } | { error: string }> {
  const list = JSON.stringify(specifiers);
  const code = `const t=process.hrtime.bigint(); await Promise.all(${list}.map((m)=>import(m))); console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    try {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd, env, timeout: 30_000 });
      const ms = Number(stdout.trim().split('\n').at(-1));
      if (!Number.isFinite(ms)) throw new Error(`unexpected output: ${stdout.trim().slice(0, 200)}`);
      runsMs.push(ms);
    } catch (error) {
      const e = error as Error & { stderr?: string };
      const line = (e.stderr ?? '').split('\n').find((l) => /Error|error/.test(l)) ?? e.message.split('\n')[0]!;
      return { error: line.trim().slice(0, 300) };
    }
  }
  return { runsMs };
}

/**
 * Cold import of each bundle: the median of `runs` fresh processes importing it, and of the
 * same for its AWS SDK imports alone (measured once per distinct set).
 */
export async function measureColdImports(bundles: BundleResult[], runs: number, root: string): Promise<void> {
  // no TWOFOLD_* settings: the bundles read their config on first invocation, not on import
  const env = Object.fromEntries(Object.entries(childEnv()).filter(([k]) => !k.startsWith('TWOFOLD_')));
  const sdkMs = new Map<string, number | undefined>();
  for (const bundle of bundles) {
    if (bundle.buildError) continue;
    const timed = await timeImports([pathToFileURL(resolve(bundle.file)).href], runs, root, env);
    if ('error' in timed) {
      bundle.importError = timed.error;
      continue;
    }
    bundle.importRunsMs = timed.runsMs;
    bundle.importMs = median(timed.runsMs);
    if (bundle.runtimeSdk) {
      const other = await timeImports([pathToFileURL(resolve(bundle.runtimeSdk.file)).href], runs, root, env);
      if (!('error' in other)) bundle.runtimeSdk.importMs = median(other.runsMs);
    }
    const key = bundle.sdkImports.join(',');
    if (!sdkMs.has(key)) {
      // @aws-sdk/* resolves from node_modules here, as from the Lambda runtime's own copy there
      const sdk = bundle.sdkImports.length ? await timeImports(bundle.sdkImports, runs, root, env) : { runsMs: [0] };
      sdkMs.set(key, 'error' in sdk ? undefined : median(sdk.runsMs));
    }
    const ms = sdkMs.get(key);
    if (ms !== undefined) bundle.sdkImportMs = ms;
  }
}
