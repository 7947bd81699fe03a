/**
 * `npm start` as a person runs it: the program starts on the port it is given, prints where it
 * runs, writes local.json (base URL, tenant, keys) and the master key readable by this user
 * alone, answers /health and prints one line per request, stops cleanly on Ctrl-C (SIGINT to its
 * process group: it says so, frees the port, and leaves no process behind, its database engine
 * included), and on the next start finds the same tenant and data again.
 *
 * It runs the command of `npm start` as one Node process (`node --import tsx`): the `tsx` CLI's
 * parent process gives its child 30 ms to acknowledge a signal and otherwise kills it and exits
 * 130, which on a loaded machine stopped the service mid-shutdown.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { freePort } from '@twofold/local/free-port';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';

const root = resolve(import.meta.dirname, '../..');
let dataDir: string;
let port: number;
const started: ChildProcess[] = [];

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const START = 'node --import tsx packages/local/src/main.ts';

/** Runs what `npm start` runs (its environment and command) and waits for its banner. */
async function start(): Promise<Running> {
  const script = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const env = Object.fromEntries([...script.matchAll(/(\w+)=(\S+) /g)].map((m) => [m[1], m[2]]));
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/local/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), TWOFOLD_DATA_DIR: dataDir },
    // its own process group, so that a SIGINT reaches it as Ctrl-C in a terminal would
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const banner = new Promise<void>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
    const check = () => {
      // the banner is several lines, which may arrive in separate chunks: wait for its last line
      if (out.includes('Twofold is running at') && out.includes('API docs at')) {
        clearTimeout(timer);
        resolveBanner();
      }
    };
    child.stdout!.on('data', check);
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before its banner:\n${out}`));
    });
  });
  await banner;
  return { child, output: () => out, exit };
}

/** Ctrl-C: SIGINT to the whole process group. */
function interrupt(r: Running) {
  process.kill(-r.child.pid!, 'SIGINT');
}

/** The processes still in a run's process group (its database engine is one while it runs). */
function processesOf(r: Running): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, pgid]) => pgid === r.child.pid && pid !== undefined)
    .map(([pid]) => pid!);
}

/**
 * What a person needs of Ctrl-C: the service says it is stopping, stops on its own (not killed,
 * whatever code a shell would show for Ctrl-C), frees its port and leaves no process behind.
 */
async function expectCleanStop(r: Running, baseUrl: string) {
  expect(processesOf(r).length).toBeGreaterThan(1);
  interrupt(r);
  const { code, signal } = await r.exit;
  expect(signal, r.output()).toBeNull();
  expect([0, 130], r.output()).toContain(code);
  expect(r.output()).toMatch(/SIGINT: stopping/);
  expect(r.output()).not.toMatch(/could not start|Error|Killing/);
  await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
  // the engine goes with it (it may take a moment to be reaped)
  await expect.poll(() => processesOf(r), { timeout: 10_000 }).toEqual([]);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'twofold-npm-start-'));
  port = await freePort();
});
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  let firstRun: { tenantId: string; appKey: string; adminKey: string };
  let recoveryCode: string;

  it('is what `npm start` runs', async () => {
    const script = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(script.endsWith(START)).toBe(true);
  });

  it('starts, prints its URL, writes local.json and master.key (0600), answers /health, logs each request, and stops cleanly on Ctrl-C', async () => {
    const run = await start();
    const baseUrl = `http://127.0.0.1:${port}`;
    expect(run.output()).toContain(`Twofold is running at ${baseUrl}`);

    const localJsonPath = join(dataDir, 'local.json');
    const local = JSON.parse(await readFile(localJsonPath, 'utf8'));
    expect(local).toEqual({ baseUrl, tenantId: expect.any(String), appKey: expect.any(String), adminKey: expect.any(String) });
    expect(local.appKey).not.toBe(local.adminKey);
    expect((await stat(localJsonPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'master.key'))).mode & 0o777).toBe(0o600);
    // the banner names the same tenant
    expect(run.output()).toContain(local.tenantId);

    const health = await api(baseUrl)('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });

    // the printed keys work: enrol a user with the real clock and an independent authenticator
    const app = api(baseUrl, local.appKey);
    const factor = await app('POST', '/v1/users/smoke/factors', { type: 'totp' });
    expect(factor.status).toBe(201);
    const { secret } = parseOtpauthUri(await zbarimg(factor.body.qrCode));
    const confirmed = await app('POST', `/v1/users/smoke/factors/${factor.body.factorId}/verify`, { code: await oathtool(secret, Date.now()) });
    expect(confirmed.status).toBe(200);
    recoveryCode = confirmed.body.recoveryCodes[0];
    expect((await api(baseUrl, local.adminKey)('GET', '/v1/users/smoke')).body.status).toBe('enrolled');
    firstRun = local;

    // one line per request, without its query or body; the job logs are not there (warnings only)
    expect(run.output()).toMatch(/^GET \/health 200 \d+ ms$/m);
    expect(run.output()).toMatch(/^POST \/v1\/users\/smoke\/factors 201 \d+ ms$/m);
    expect(run.output()).not.toMatch(/"level":"INFO"/);
    expect(run.output()).not.toContain(secret);

    await expectCleanStop(run, baseUrl);
  }, 60_000);

  it('a second start on the same directory keeps the tenant, its keys and its users', async () => {
    const run = await start();
    const local = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
    expect(local).toMatchObject(firstRun);
    const app = api(`http://127.0.0.1:${port}`, local.appKey);
    expect((await app('GET', '/v1/users/smoke')).body.status).toBe('enrolled');
    const challenge = await app('POST', '/v1/users/smoke/challenges', { method: 'recovery_code' });
    const verified = await app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { recoveryCode });
    expect(verified.status).toBe(200);

    await expectCleanStop(run, `http://127.0.0.1:${port}`);
  }, 60_000);
});
