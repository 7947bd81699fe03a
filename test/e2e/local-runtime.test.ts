/**
 * `npm start` as a person runs it: the program starts on the port it is given, prints where it
 * runs, writes local.json (base URL, tenant, keys) and the master key readable by this user
 * alone, answers /health, stops cleanly on Ctrl-C (SIGINT to its process group) with exit 0,
 * and on the next start finds the same tenant and data again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

/** Runs what `npm start` runs (tsx packages/local/src/main.ts) and waits for its banner. */
async function start(): Promise<Running> {
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['packages/local/src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), TWOFOLD_DATA_DIR: dataDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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

  it('starts, prints its URL, writes local.json and master.key (0600), answers /health, and stops on SIGINT with exit 0', async () => {
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

    interrupt(run);
    const { code, signal } = await run.exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(run.output()).toMatch(/SIGINT: stopping/);
    expect(run.output()).not.toMatch(/could not start|Error/);
    // the port is free again
    await expect(fetch(`${baseUrl}/health`)).rejects.toThrow();
  });

  it('a second start on the same directory keeps the tenant, its keys and its users', async () => {
    const run = await start();
    const local = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
    expect(local).toMatchObject(firstRun);
    const app = api(`http://127.0.0.1:${port}`, local.appKey);
    expect((await app('GET', '/v1/users/smoke')).body.status).toBe('enrolled');
    const challenge = await app('POST', '/v1/users/smoke/challenges', { method: 'recovery_code' });
    const verified = await app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { recoveryCode });
    expect(verified.status).toBe(200);

    interrupt(run);
    expect(await run.exit).toEqual({ code: 0, signal: null });
  });
});
