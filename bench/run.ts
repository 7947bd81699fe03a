/**
 * `npm run bench`: how fast and how frugal the hot paths are, on local stand-ins for AWS.
 * Prints a report on stdout (progress on stderr) and writes .bench/results.json. Not a test:
 * it exits non-zero only when it could not measure (an operation failed, a step threw).
 *
 *   verifications/s through the handler path vs the bare DynamoDB floor; calls per
 *            verification (warm TOTP, cold, recovery code); bundle sizes and cold imports
 *   SMS/email sends/s through the challenge path; calls per send
 *   device-check calls per challenge; assertion signing time; KMS calls still 0
 *   grace-expiry run and admin overview at 10,000 users (when those functions exist)
 *   fair share: ten tenants with a quota, one flooding; the per-partition arithmetic at the goal
 *
 * Knobs (environment): BENCH_USERS (100), BENCH_ROUNDS (5), BENCH_CONCURRENCY ("1,8"),
 * BENCH_SEND_USERS (50 per channel), BENCH_DEVICE_USERS (50), BENCH_SIGNATURES (2000),
 * BENCH_ADMIN_USERS (10000; 0 skips grace and overview), BENCH_ADMIN_DUE (1000 of them due at each grace run),
 * BENCH_IMPORT_RUNS (5), BENCH_HTTP_USERS (1600), BENCH_ENGINE (dynalite; or dynamodb-local),
 * BENCH_CPU_PROFILE=<file> (a CPU profile of the last handler round at concurrency 1).
 */
import './env';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundles, measureColdImports } from './bundles';
import { runDeviceBench } from './devices';
import { runHttpCheck, type HttpCheckResult } from './http-check';
import { invocationsPerRequest } from './invocations';
import { Harness } from './harness';
import { POLICY_ADMIN_EXPECTS, runPolicyAdminBench, type PolicyAdminResults } from './policy-admin';
import { bundleSection, fitWidth, deviceSection, httpCheckSection, policyAdminSection, sendSection, summaryTable, verificationSection } from './report';
import { runSendBench } from './sends';
import { nowMs } from './stats';
import { summaryRows, TARGETS } from './summary';
import { runVerificationBench } from './verifications';
import { fairShareRows, fairShareSection, runFairShareBench, type FairShareResults } from './tenants';

const root = fileURLToPath(new URL('..', import.meta.url));
const int = (name: string, fallback: number, min: number, max: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}`);
  return n;
};
const concurrencies = (process.env.BENCH_CONCURRENCY || '1,8').split(',').map((c) => Number(c.trim()));
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1 || c > 64) || !concurrencies.includes(1)) {
  throw new Error('BENCH_CONCURRENCY: integers in 1..64, including 1 (the per-operation counts come from the sequential rounds)');
}
const options = {
  users: int('BENCH_USERS', 100, 8, 2000),
  rounds: int('BENCH_ROUNDS', 5, 1, 20),
  concurrencies,
  sendUsers: int('BENCH_SEND_USERS', 50, 8, 1000),
  deviceUsers: int('BENCH_DEVICE_USERS', 50, 4, 1000),
  signatures: int('BENCH_SIGNATURES', 2000, 10, 100_000),
  adminUsers: int('BENCH_ADMIN_USERS', 10_000, 0, 100_000),
  adminDue: int('BENCH_ADMIN_DUE', 1000, 1, 100_000),
  importRuns: int('BENCH_IMPORT_RUNS', 5, 1, 25),
  httpUsers: int('BENCH_HTTP_USERS', 1600, 0, 5000),
  setupConcurrency: 8,
  ...(process.env.BENCH_CPU_PROFILE ? { cpuProfile: process.env.BENCH_CPU_PROFILE } : {}),
};

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  const started = nowMs();
  const progress = (line: string) => console.error(line);
  const elapsed = () => `${((nowMs() - started) / 1000).toFixed(1)} s`;
  const commit = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'functions', 'packages', 'infra') !== '';

  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > availableParallelism()) progress(`note: load average ${loadAtStart.toFixed(1)} on ${availableParallelism()} CPUs: other work competes, figures will be low and noisy`);
  const h = await Harness.start(options.setupConcurrency);
  progress(`${h.dynamo.engine} in a process of its own at ${elapsed()}`);
  const measured = await (async () => {
    try {
      progress('verifications, handler path and floor...');
      const verification = await runVerificationBench(h, { ...options, recoveryVerifications: Math.min(50, options.users) }, progress);
      progress(`SMS and email sends... (${elapsed()})`);
      const sends = await runSendBench(h, { users: options.sendUsers, rounds: options.rounds, concurrencies, verifications: 20 }, progress);
      progress(`devices and assertions... (${elapsed()})`);
      const devices = await runDeviceBench(h, { users: options.deviceUsers, signatures: options.signatures }, progress);
      progress(`grace expiry and admin overview at ${options.adminUsers} users... (${elapsed()})`);
      const policyAdmin: PolicyAdminResults =
        options.adminUsers > 0
          ? await runPolicyAdminBench(h, root, { users: options.adminUsers, due: Math.min(options.adminDue, options.adminUsers), overviewCalls: 50 }, progress)
          : { status: 'skipped', reason: 'BENCH_ADMIN_USERS=0', expects: POLICY_ADMIN_EXPECTS };
      return { verification, sends, devices, policyAdmin };
    } finally {
      await h.stop();
    }
  })();
  const { verification, sends, devices, policyAdmin } = measured;
  progress(`bundles... (${elapsed()})`);
  const bundles = await buildBundles(root, 6);
  progress(`cold imports, ${options.importRuns} per bundle... (${elapsed()})`);
  await measureColdImports(bundles, options.importRuns, root);
  progress(`invocations per request, from the synthesized stack... (${elapsed()})`);
  const invocations = invocationsPerRequest();
  let httpCheck: HttpCheckResult | undefined;
  if (options.httpUsers > 0) {
    progress(`npm start over HTTP at concurrency 16 vs the dynalite floor... (${elapsed()})`);
    httpCheck = await runHttpCheck(root, { users: options.httpUsers, concurrency: 16 }, progress).catch((error: unknown) => {
      progress(`  npm start check failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
  }
  progress(`fair share: ten tenants, one flooding... (${elapsed()})`);
  const fairShare: FairShareResults | undefined = await runFairShareBench(progress).catch((error: unknown) => {
    progress(`  fair share failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  const seconds = (nowMs() - started) / 1000;

  const rows = [...summaryRows({ verification, sends, devices, policyAdmin, bundles, invocations, httpCheck, seconds }), ...fairShareRows(fairShare)];
  const load = { atStart: loadAtStart, atEnd: loadavg()[0]! };
  const header =
    `Twofold bench — ${new Date().toISOString()} — node ${process.version}, ${availableParallelism()} CPUs ` +
    `(1-min load average ${load.atStart.toFixed(1)} at start, ${load.atEnd.toFixed(1)} at end), commit ${commit}${dirty ? ' (+ uncommitted changes)' : ''}, ` +
    `DynamoDB engine ${h.dynamo.engine === 'dynalite' ? "dynalite (npm start's)" : "DynamoDB Local (the tests')"}`;
  const report = [
    header,
    verificationSection(verification),
    sendSection(sends),
    deviceSection(devices),
    policyAdminSection(policyAdmin),
    bundleSection(bundles, TARGETS.bundleKb, options.importRuns),
    httpCheckSection(httpCheck, invocations),
    fairShareSection(fairShare),
    `Summary\n${summaryTable(rows)}`,
  ];
  console.log(fitWidth(report.join('\n\n')));

  const outDir = join(root, '.bench');
  mkdirSync(outDir, { recursive: true });
  const results = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    loadAverage: load,
    commit,
    uncommittedChanges: dirty,
    engine: h.dynamo.engine,
    options,
    targets: TARGETS,
    seconds,
    verification,
    sends,
    devices,
    policyAdmin,
    bundles: bundles.map(({ file, lazy, ...b }) => ({ ...b, file: file.slice(root.length), lazy: lazy.map((c) => ({ ...c, path: c.path.slice(root.length) })) })),
    invocations,
    httpCheck,
    fairShare,
    summary: rows,
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  progress(`results: ${join(outDir, 'results.json')} (${seconds.toFixed(1)} s in all)`);
  if (rows.some((r) => r.metric.startsWith('failed operations') && r.result === 'FAIL')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  // whatever is still open (a server, a client) must not keep a failed bench alive
  process.exit(1);
});
