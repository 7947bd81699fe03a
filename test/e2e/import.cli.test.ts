/**
 * A migration from another system: 10,000 users with the authenticator secrets they already
 * have, in a JSON Lines file, sent by `npm run users:import` (the CLI, a separate process) to the
 * local runtime over HTTP. The users then log in with codes oathtool makes from their original
 * secrets, on the first try; a malformed row is reported with its line and skipped; the file's
 * users sent again (every 5th, from every batch) change nothing and emit nothing; and no secret can be read in the tables or
 * the service's logs.
 *
 * The 10,000 users go to the service on the memory adapters (the same functions, use case and
 * batched commit, on stores that pass the DynamoDB adapters' contract suites): what the file
 * checks is the CLI and the import's answers, and on DynamoDB Local the Java engine's CPU per
 * item written (about 1.5 ms, 6 items a new user) made the import alone 100–115 s. How long
 * `npm start` takes for them is docs/bench.md's figure (npm run bench:import). The same batched
 * import path on DynamoDB itself (several users a transaction, counters added up per shard, the
 * outbox's marks) runs on the suite's DynamoDB Local with 500 users of the file: imported,
 * counted and emitted once, and sent again, unchanged.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// the logger reads its level when it is created, at import: the service says everything it can
// (as in logs.no-secrets.test.ts), its metrics too, for the log check to read
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});
import { oathtool } from '../support/authenticator';
import { base32Decode, base32Encode } from '../support/base32';
import { publishedEvents, startTwofoldWithEvents } from '../support/events';
import { challengeFor, startTwofold, type Twofold } from '../support/twofold';

const USERS = 10_000;
/**
 * The users of the file (its first ones, without the malformed rows) also imported on the suite's
 * DynamoDB Local: 5 batches at the CLI's default size, 4 of them in flight at once and a fifth
 * after, each committed in several 100-item transactions with its counters added up per shard.
 */
const ON_DYNAMODB_LOCAL = 500;
/** Line 3 is not JSON; line 7 is a user whose secret is not base32. */
const NOT_JSON_LINE = 3;
const BAD_SECRET_LINE = 7;

interface Seed {
  userId: string;
  secret: string;
  algorithm?: 'sha256';
  digits?: 8;
}

let t: Twofold;
/** The local runtime on the test run's shared DynamoDB Local. */
let d: Twofold;
let dir: string;
let file: string;
let sliceFile: string;
/** Every 5th user of the file (m1, m6, … m9996: from every batch, the SHA-256 ones among them) and both malformed rows. */
let resendFile: string;
const RESENT = USERS / 5;
const seeds: Seed[] = [];
const logs: string[] = [];

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['infra/cli/import-users.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      // what the CLI prints is checked for secrets with the service's logs
      logs.push(stdout, stderr);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const cliArgs = (...more: string[]) => ['--file', file, '--base-url', t.baseUrl, '--admin-key', t.tenant.adminKey, ...more];
const factorImported = async (on: Twofold = t) => (await publishedEvents(on.baseUrl)).filter((e) => e.type === 'factor.imported' && e.tenantId === on.tenant.tenantId);

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    logs.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void capture(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ')));
  }
  t = await startTwofoldWithEvents({ storage: 'memory' });
  expect(t.runtime.dynamo).toMatch(/memory/);
  // started while the relay timer is held still (startTwofoldWithEvents): its relay does not run either
  d = await startTwofold();
  expect(d.runtime.dynamo).not.toMatch(/^dynalite/);
  dir = await mkdtemp(join(tmpdir(), 'twofold-import-'));
  file = join(dir, 'users.jsonl');
  sliceFile = join(dir, 'slice.jsonl');
  resendFile = join(dir, 'resend.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < USERS; i++) {
    if (lines.length + 1 === NOT_JSON_LINE) lines.push('{"userId": "half-a-line", "factors": [');
    if (lines.length + 1 === BAD_SECRET_LINE) lines.push(JSON.stringify({ userId: 'bad-secret', factors: [{ type: 'totp', secret: 'not base32 at all!' }] }));
    // most with the defaults; every 500th as another system may have set it up (SHA-256, 8 digits)
    const seed: Seed = { userId: `m${i}`, secret: base32Encode(randomBytes(20)), ...(i % 500 === 1 ? { algorithm: 'sha256' as const, digits: 8 as const } : {}) };
    seeds.push(seed);
    const { userId, secret, ...params } = seed;
    lines.push(JSON.stringify({ userId, email: `${userId}@example.com`, roles: ['staff'], factors: [{ type: 'totp', secret: i % 2 ? secret.toLowerCase() : secret, ...params }] }));
  }
  await writeFile(file, `${lines.join('\n')}\n`);
  await writeFile(resendFile, `${lines.filter((l) => !l.startsWith('{"userId":"m') || Number(/^\{"userId":"m(\d+)"/.exec(l)?.[1]) % 5 === 1).join('\n')}\n`);
  await writeFile(sliceFile, `${lines.filter((l) => l.startsWith('{"userId":"m')).slice(0, ON_DYNAMODB_LOCAL).join('\n')}\n`);
}, 60_000);
afterAll(async () => {
  await d?.stop();
  await t?.stop();
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run users:import', () => {
  it('imports 10,000 users from a file with a progress bar, reporting and skipping the malformed rows', async () => {
    const run = await runCli(cliArgs());
    expect(run.stdout).toContain(`line ${NOT_JSON_LINE}: invalid_json`);
    expect(run.stdout).toMatch(new RegExp(`line ${BAD_SECRET_LINE} \\(bad-secret\\): invalid_request: factors\\.0\\.secret: `));
    // under load a batch can outrun the runtime's time limit after it was written; sent again, its
    // users come back unchanged, and the summary says so (the events and the overview still count
    // each user once)
    const [, imported, unchanged] = /imported (\d+), unchanged (\d+), failed 2\n/.exec(run.stdout) ?? [];
    const afterResend = Number(/(\d+) of the unchanged were in a batch sent again/.exec(run.stdout)?.[1] ?? 0);
    expect({ imported: Number(imported), unchanged: Number(unchanged) }).toEqual({ imported: USERS - afterResend, unchanged: afterResend });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\[#{30}\] 10002\/10002 lines · imported \d+/);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('[')).length).toBeGreaterThanOrEqual(10);

    expect(await factorImported()).toHaveLength(USERS);
    const overview = await t.admin('GET', '/v1/admin/overview');
    expect(overview.body).toMatchObject({ totalUsers: USERS, enrolled: USERS });
    expect((await t.app('GET', '/v1/users/bad-secret')).status).toBe(404);
    // how long it takes is docs/bench.md's figure (npm run bench:import), not this test's: a loaded machine is slower
  }, 300_000);

  it('lets a sample of the imported users log in on the first try with codes from their original secrets (oathtool)', async () => {
    for (const seed of [seeds[0]!, seeds[1]!, seeds[501]!, seeds[4999]!, seeds[USERS - 1]!]) {
      const challengeId = await challengeFor(t.app, seed.userId);
      const code = await oathtool(seed.secret, t.clock.nowMs(), { ...(seed.algorithm ? { algorithm: 'SHA256' } : {}), ...(seed.digits ? { digits: seed.digits } : {}) });
      const verified = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code });
      expect(verified.status, `${seed.userId}: ${verified.text}`).toBe(200);
      expect(verified.body).toMatchObject({ verified: true, method: 'totp', userId: seed.userId });
    }
  }, 60_000);

  // each user of a request is decided on their own (what the store holds for them), so a fifth of
  // the file, from every one of its batches, proves for each user sent what the whole file would
  it(`sent again (${RESENT} users from every part of the file), changes nothing and emits nothing: every user sent unchanged`, async () => {
    const before = await t.app('GET', '/v1/users/m501');
    const events = (await factorImported()).length;
    const run = await runCli(['--file', resendFile, '--base-url', t.baseUrl, '--admin-key', t.tenant.adminKey]);
    // the malformed rows are still reported (at their lines in this file)
    expect(run.stdout).toMatch(/line \d+: invalid_json/);
    expect(run.stdout).toMatch(/line \d+ \(bad-secret\): invalid_request/);
    expect(run.stdout).toContain(`imported 0, unchanged ${RESENT}, failed 2`);
    expect((await factorImported()).length).toBe(events);
    expect((await t.app('GET', '/v1/users/m501')).body).toEqual(before.body);
    expect((await t.admin('GET', '/v1/admin/overview')).body).toMatchObject({ totalUsers: USERS, enrolled: USERS });
  }, 300_000);

  it(`imports ${ON_DYNAMODB_LOCAL} of them on the suite's DynamoDB Local the same way: each counted and emitted once, and sent again, unchanged`, async () => {
    const args = ['--file', sliceFile, '--base-url', d.baseUrl, '--admin-key', d.tenant.adminKey];
    const run = await runCli(args);
    const [, imported, unchanged] = /imported (\d+), unchanged (\d+), failed 0\n/.exec(run.stdout) ?? [];
    const afterResend = Number(/(\d+) of the unchanged were in a batch sent again/.exec(run.stdout)?.[1] ?? 0);
    expect({ imported: Number(imported), unchanged: Number(unchanged) }).toEqual({ imported: ON_DYNAMODB_LOCAL - afterResend, unchanged: afterResend });
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('[')).length).toBe(ON_DYNAMODB_LOCAL / 100);
    expect(await factorImported(d)).toHaveLength(ON_DYNAMODB_LOCAL);
    expect((await d.admin('GET', '/v1/admin/overview')).body).toMatchObject({ totalUsers: ON_DYNAMODB_LOCAL, enrolled: ON_DYNAMODB_LOCAL });
    // a SHA-256, 8-digit user among them logs in with a code from the original secret
    const seed = seeds[1]!;
    const code = await oathtool(seed.secret, d.clock.nowMs(), { algorithm: 'SHA256', digits: 8 });
    const verified = await d.app('POST', `/v1/challenges/${await challengeFor(d.app, seed.userId)}/verify`, { code });
    expect(verified.body).toMatchObject({ verified: true, method: 'totp', userId: seed.userId });

    const again = await runCli(args);
    expect(again.stdout).toContain(`imported 0, unchanged ${ON_DYNAMODB_LOCAL}, failed 0`);
    expect(await factorImported(d)).toHaveLength(ON_DYNAMODB_LOCAL);
    expect((await d.admin('GET', '/v1/admin/overview')).body).toMatchObject({ totalUsers: ON_DYNAMODB_LOCAL, enrolled: ON_DYNAMODB_LOCAL });
  }, 180_000);

  it('resumes from a line with --from-line: only the lines from there are sent', async () => {
    const run = await runCli(cliArgs('--from-line', '9003', '--batch-size', '250'));
    expect(run.stdout).toContain('imported 0, unchanged 1000, failed 0');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('10002/10002 lines');
  }, 120_000);

  it('stops at a batch the API refuses and names the line to resume from', async () => {
    const run = await runCli(['--file', file, '--base-url', t.baseUrl, '--admin-key', t.tenant.appKey]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('stopped: the API did not take the batch from line 1 (403');
    expect(run.stdout).toContain('resume with --from-line 1');
  }, 60_000);

  it('explains itself with --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--from-line');
  }, 60_000);

  it('leaves no imported secret readable in the tables or the service logs', async () => {
    const sample = seeds.filter((_, i) => i % 997 === 0);
    const forms = sample.flatMap((s) => {
      const bytes = base32Decode(s.secret);
      return [s.secret, s.secret.toLowerCase(), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];
    });
    // the memory tables every store of the 10,000 users' runtime keeps its state in, whole
    const stored = JSON.stringify(t.runtime.memory, (_, value: unknown) => (value instanceof Map ? [...value] : value instanceof Set ? [...value] : value));
    expect(stored).toContain(t.tenant.tenantId);
    for (const form of forms) expect(stored.includes(form), 'the memory tables hold a secret').toBe(false);
    for (const TableName of Object.values(d.runtime.deps.config.tables)) {
      let start: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page: ScanCommandOutput = await d.runtime.deps.dynamo.send(new ScanCommand({ TableName, ExclusiveStartKey: start }));
        const text = JSON.stringify(page.Items ?? []);
        for (const form of forms) expect(text.includes(form), `${TableName} holds a secret`).toBe(false);
        start = page.LastEvaluatedKey;
      } while (start);
    }
    const logged = logs.join('\n');
    // the service logged the batch it refused (a whole batch of secrets in its body)
    expect(logged).toContain('"routeKey":"POST /v1/admin/imports"');
    for (const form of forms) expect(logged.includes(form), 'the logs hold a secret').toBe(false);
  }, 180_000);
});
