/**
 * `npm run bench:import`: the import of issue 23 timed end to end as an operator runs it — a JSON
 * Lines file of 10,000 TOTP users (BENCH_IMPORT_USERS) sent by `npm run users:import` (the CLI, a
 * process of its own, over HTTP) to the local runtime, on `npm start`'s dynalite
 * (BENCH_ENGINE=dynamodb-local for the tests' DynamoDB Local), with the CLI's defaults or the
 * options in BENCH_IMPORT_ARGS (named in the report). Prints the time beside its target
 * (< 60 s) with the machine's load, then the time of the same file sent again (all unchanged).
 */
import './env';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { localEngineOf } from '@twofold/local/dynamodb-local';
import { startLocalRuntime } from '@twofold/local/runtime';
import { childEnv } from './env';

const USERS = Number(process.env.BENCH_IMPORT_USERS ?? 10_000);
const TARGET_MS = 60_000;
const engine = localEngineOf(process.env.BENCH_ENGINE) ?? 'dynalite';
/** The CLI's options beyond the file and the API (BENCH_IMPORT_ARGS, e.g. "--parallel 2 --batch-size 250"): its defaults without. */
const cliOptions = (process.env.BENCH_IMPORT_ARGS ?? '').split(/\s+/).filter(Boolean);

const rfc4648 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const secret = () => [...randomBytes(32)].map((b) => rfc4648[b % 32]).join('');

function cli(args: string[]): Promise<{ code: number | null; ms: number; summary: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/cli/import-users.ts', ...args], { stdio: ['ignore', 'pipe', 'ignore'], env: childEnv() });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, summary: out.trim().split('\n').at(-1) ?? '' }));
  });
}

const dir = await mkdtemp(join(tmpdir(), 'twofold-bench-import-'));
const file = join(dir, 'users.jsonl');
await writeFile(file, Array.from({ length: USERS }, (_, i) => `${JSON.stringify({ userId: `b${i}`, email: `b${i}@example.com`, factors: [{ type: 'totp', secret: secret() }] })}\n`).join(''));
const runtime = await startLocalRuntime({ port: 0, engine, graceTimer: false });
try {
  const tenant = await runtime.createTenant('Bench import');
  const args = ['--file', file, '--base-url', runtime.baseUrl, '--admin-key', tenant.adminKey, ...cliOptions];
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const first = await cli(args);
  const again = await cli(args);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`users:import of ${USERS} users on ${engine}, ${cliOptions.length ? cliOptions.join(' ') : "the CLI's defaults"} (load before ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  console.log(`  ${first.ms < TARGET_MS ? 'PASS' : 'FAIL'} first import ${seconds(first.ms)} (target < 60 s): ${first.summary}`);
  console.log(`  INFO sent again ${seconds(again.ms)}: ${again.summary}`);
  if (first.code !== 0 || again.code !== 0) process.exitCode = 1;
} finally {
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
}
