/**
 * Each Lambda function built as the CDK stack builds its asset (infra/bundling.ts: the AWS SDK
 * bundled, code split into an entry and chunks): the size of what importing the entry loads (a
 * TOTP login's or enrolment's code: the entry and its static chunks), the lazy chunks apart
 * (passkeys, phone metadata, the QR code), the biggest inputs, and how long a fresh Node process
 * takes to import the entry; beside it the same function built with the SDK left to the Lambda
 * runtime's copy, and the import of just the SDK clients the function uses.
 */
import { execFile, execSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { beforeBundling, bundling, esbuildOptionsOf, lambdaFunctions, loadedAtImport, type OutputPart } from '../infra/bundling';
import { childEnv } from './env';
import { median } from './stats';

const run = promisify(execFile);

export interface BundleInput {
  path: string;
  kb: number;
}

/** A chunk only a dynamic import loads: its file name, size and biggest packages. */
export interface LazyChunk {
  /** Its path, and its file name in chunks/ (named by the module the dynamic import names). */
  path: string;
  file: string;
  kb: number;
  packages: BundleInput[];
}

export interface BundleResult {
  name: string;
  /** The entry (index.mjs) of the function's asset directory. */
  file: string;
  /** What importing the entry loads (entry and static chunks, KB minified): the TOTP path. */
  kb: number;
  /** The files importing the entry loads. */
  loadedFiles: number;
  /** The chunks only a dynamic import loads, biggest first. */
  lazy: LazyChunk[];
  /** The biggest contributors to what the entry loads, from the esbuild metafile: by file and by package. */
  largestInputs: BundleInput[];
  largestPackages: BundleInput[];
  /** The AWS SDK packages the function uses (from a build that leaves them to Lambda's runtime copy). */
  sdkImports: string[];
  /** The same function built with the SDK left out (the runtime's copy): what its entry loads, its lazy chunks, its cold import. */
  runtimeSdk?: { file: string; kb: number; lazyKb: number; importMs?: number };
  /** Cold import of the entry: what the first TOTP login or enrolment of a container waits for. */
  importMs?: number;
  importRunsMs?: number[];
  /** Cold import of the entry and every lazy chunk: a container that has served every kind of request. */
  allChunksImportMs?: number;
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

const sum = (parts: OutputPart[]) => kb(parts.reduce((n, p) => n + p.bytes, 0));
const largest = (items: BundleInput[], top: number) => [...items].sort((a, b) => b.kb - a.kb).slice(0, top);

function byPackage(parts: OutputPart[]): BundleInput[] {
  const totals = new Map<string, number>();
  for (const part of parts) for (const [path, bytes] of Object.entries(part.inputs)) totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + kb(bytes));
  return [...totals].map(([path, total]) => ({ path, kb: total }));
}

export async function buildBundles(root: string, top: number): Promise<BundleResult[]> {
  const outDir = join(root, '.bench', 'bundles');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const results: BundleResult[] = [];
  const build = async (name: string, dir: string, external: string[]) => {
    const { metafile } = await esbuild.build({ ...esbuildOptionsOf(name, dir, external), absWorkingDir: root, write: true, metafile: true });
    return { ...loadedAtImport(metafile, name), imports: Object.values(metafile.outputs).flatMap((o) => o.imports) };
  };
  for (const name of lambdaFunctions) {
    const dir = join(outDir, name);
    const runtimeSdkDir = join(outDir, `${name}.runtime-sdk`);
    const file = join(dir, 'index.mjs');
    try {
      // as the CDK stack does before bundling (the console's browser build)
      for (const command of beforeBundling[name] ?? []) execSync(command, { cwd: root, stdio: 'ignore' });
      const out = await build(name, dir, [...bundling.externalModules]);
      // the same function with the SDK left to the runtime: what it imports of it, and how that starts
      const withoutSdk = await build(name, runtimeSdkDir, [...bundling.externalModules, bundling.runtimeSdk]);
      const sdkImports = [...new Set(withoutSdk.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
      const inputs = out.loaded.flatMap((part) => Object.entries(part.inputs).map(([path, bytes]) => ({ path, kb: kb(bytes) })));
      results.push({
        name,
        file,
        kb: sum(out.loaded),
        loadedFiles: out.loaded.length,
        lazy: out.lazy
          .map((part) => ({ path: resolve(root, part.path), file: basename(part.path), kb: kb(part.bytes), packages: largest(byPackage([part]), 3) }))
          .sort((a, b) => b.kb - a.kb),
        sdkImports,
        runtimeSdk: { file: join(runtimeSdkDir, 'index.mjs'), kb: sum(withoutSdk.loaded), lazyKb: sum(withoutSdk.lazy) },
        largestInputs: largest(inputs, top),
        largestPackages: largest(byPackage(out.loaded), top),
      });
    } catch (error) {
      results.push({ name, file, kb: NaN, loadedFiles: 0, lazy: [], sdkImports: [], largestInputs: [], largestPackages: [], buildError: (error as Error).message.split('\n')[0]! });
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
 * Cold import of each bundle: the median of `runs` fresh processes importing its entry (the TOTP
 * path), and its entry with every lazy chunk; the same for its AWS SDK imports alone (measured
 * once per distinct set).
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
    if (bundle.lazy.length > 0) {
      // fewer runs: a comparison, not a target
      const all = await timeImports([bundle.file, ...bundle.lazy.map((c) => c.path)].map((f) => pathToFileURL(resolve(f)).href), Math.min(runs, 3), root, env);
      if (!('error' in all)) bundle.allChunksImportMs = median(all.runsMs);
    }
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
