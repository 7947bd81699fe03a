/**
 * `npm run smoke` against the local runtime (real time: the smoke test computes TOTP codes from
 * its own clock, as it would against a deployment): every step passes, each printed with its
 * latency; a wrong key or a server that is not there fails with a non-zero exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewTenant } from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { runSmoke, smokeCommand } from '../../infra/cli/smoke';

const exec = promisify(execFile);

let runtime: LocalRuntime;
let tenant: NewTenant;
beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, graceTimer: false });
  tenant = await runtime.createTenant('Smoke Co');
});
afterAll(() => runtime.stop());

/** The npm script itself, in a child process: its stdout, stderr and exit code. */
async function npmSmoke(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec('npm', ['run', '--silent', 'smoke', '--', ...args], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run smoke', () => {
  it('passes against npm start: every step ok with its latency, the user erased (or the step skipped where erasure is not there), exit 0', async () => {
    const r = await npmSmoke(['--base-url', runtime.baseUrl, '--app-key', tenant.appKey]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ['health', 'read the policy', 'enrol TOTP', 'log in with a TOTP code', 'log in with a recovery code', 'check the assertion against the JWKS']) {
      expect(r.stdout).toMatch(new RegExp(`^ok\\s+${name}.*\\s\\d+ ms`, 'm'));
    }
    expect(r.stdout).toMatch(/^(ok|skip)\s+erase the user\s+\d+ ms/m);
    expect(r.stdout).toMatch(/Smoke test passed: \d+ passed/);
    // the key is never printed
    expect(r.stdout + r.stderr).not.toContain(tenant.appKey.split('.')[1]);
  }, 60_000);

  it('a wrong key fails at the first call that needs it: exit 1, no user made', async () => {
    const r = await npmSmoke(['--base-url', runtime.baseUrl, '--app-key', 'tf_0000000000000000.' + 'x'.repeat(43)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok\s+health/m);
    expect(r.stdout).toMatch(/^FAIL\s+read the policy.*401 unauthorized/m);
    expect(r.stdout).not.toMatch(/enrol TOTP/);
    expect(r.stderr).toContain('Smoke test FAILED');
  }, 60_000);

  it('with no options beside npm start: it reads local.json (base URL and app key) and passes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'twofold-smoke-local-'));
    try {
      await writeFile(join(dataDir, 'local.json'), JSON.stringify({ baseUrl: runtime.baseUrl, tenantId: tenant.tenantId, appKey: tenant.appKey, adminKey: tenant.adminKey }));
      const r = await npmSmoke([], { TWOFOLD_DATA_DIR: dataDir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Smoke test passed/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('without its options: usage, exit 2', async () => {
    const err: string[] = [];
    expect(await smokeCommand(['--base-url', runtime.baseUrl], {}, { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
    expect(err.join('\n')).toContain('missing --app-key');
  });
});

describe('what the smoke test catches', () => {
  it('a deployment whose JWKS does not verify the assertion fails that step (exit 1)', async () => {
    // the real service, but the key set of someone else
    const otherKeys = { keys: [{ kty: 'EC', crv: 'P-256', kid: 'other', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', alg: 'ES256', use: 'sig' }] };
    const fakeJwks: typeof fetch = async (input, init) =>
      String(input).endsWith('/.well-known/jwks.json') ? new Response(JSON.stringify(otherKeys), { status: 200 }) : fetch(input, init);
    const out: string[] = [];
    const { code, steps } = await runSmoke({ baseUrl: runtime.baseUrl, appKey: tenant.appKey, timeoutMs: 10_000 }, { out: (t) => out.push(t), err: () => undefined, fetch: fakeJwks });
    expect(code).toBe(1);
    expect(steps.find((s) => s.name.startsWith('check the assertion'))?.outcome).toBe('failed');
    // and the throw-away user is still cleaned up
    expect(steps.at(-1)?.name).toBe('erase the user');
  }, 30_000);

  it('nothing listening at the URL: health fails, exit 1', async () => {
    const { code, steps } = await runSmoke({ baseUrl: 'http://127.0.0.1:9', appKey: tenant.appKey, timeoutMs: 2_000 }, { out: () => undefined, err: () => undefined });
    expect(code).toBe(1);
    expect(steps.map((s) => [s.name, s.outcome])).toEqual([['health', 'failed']]);
  });
});
