/**
 * @twofold/client as a client app installs it: `npm run build -w @twofold/client` makes ESM and
 * .d.ts in dist/, `npm pack` ships dist and the README (not the sources or the generator), and
 * plain Node (no TypeScript loader) imports the package by name and logs a user in against the
 * local runtime.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const run = promisify(execFile);
const dist = join(process.cwd(), 'packages', 'client', 'dist');

let t: Twofold;
beforeAll(async () => {
  t = await testService();
  await run('npm', ['run', 'build', '-w', '@twofold/client'], { cwd: process.cwd() });
}, 120_000);
afterAll(() => t?.stop());

describe('the built package', () => {
  it('is ESM with type declarations', () => {
    for (const file of ['index.js', 'index.d.ts', 'client.js', 'client.d.ts', 'errors.d.ts', 'api-types.d.ts']) expect(existsSync(join(dist, file)), file).toBe(true);
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'packages', 'client', 'package.json'), 'utf8')) as { type: string; dependencies: Record<string, string>; exports: unknown };
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.dependencies)).toEqual(['openapi-fetch']);
    expect(readFileSync(join(dist, 'index.d.ts'), 'utf8')).toContain('TwofoldError');
  });

  it('packs dist and the README only', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '-w', '@twofold/client'], { cwd: process.cwd() });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md'].includes(f))).toEqual([]);
  }, 60_000);

  it('plain Node imports it by name and calls the API: a user without a factor needs no code; an unknown one is a TwofoldError', async () => {
    const script = `
      import { createTwofoldClient, TwofoldError } from '@twofold/client';
      const twofold = createTwofoldClient({ baseUrl: process.env.BASE_URL, apiKey: process.env.APP_KEY });
      const challenge = await twofold.startChallenge('node-user');
      let error;
      try { await twofold.getUser('nobody'); } catch (e) { error = e; }
      console.log(JSON.stringify({ reason: challenge.reason, isError: error instanceof TwofoldError, code: error?.code, status: error?.status }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, BASE_URL: t.baseUrl, APP_KEY: t.tenant.appKey },
    });
    expect(JSON.parse(stdout)).toEqual({ reason: 'not_enrolled', isError: true, code: 'user_not_found', status: 404 });
  }, 60_000);
});
