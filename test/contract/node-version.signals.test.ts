/**
 * What Node.js is supported is said in several places (docs/node-versions.md): the engines
 * fields, .nvmrc, the Lambda runtime and the bundle's target. They must agree, or a newcomer
 * gets a warning from one and an error from another.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFile(resolve(root, path), 'utf8');
const enginesOf = async (path: string) => (JSON.parse(await read(path)) as { engines?: { node?: string } }).engines?.node;

/** Whether `version` (v20.20.2) is at least `minimum` (20.19). */
function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [version.replace(/^v/, ''), minimum].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((a![i] ?? 0) !== (b![i] ?? 0)) return (a![i] ?? 0) > (b![i] ?? 0);
  return true;
}

describe('Node.js version signals', () => {
  it('the repository and the client accept the same minimum, 20.19', async () => {
    expect(await enginesOf('package.json')).toBe('>=20.19');
    expect(await enginesOf('packages/client/package.json')).toBe('>=20.19');
  });

  it('the Node running the tests is one the engines field accepts (20.19+, not 21)', () => {
    expect(atLeast(process.version, '20.19')).toBe(true);
    expect(process.version.startsWith('v21.')).toBe(false);
  });

  it('what is deployed and what is recommended is 22: Lambda runtime, bundle target, .nvmrc', async () => {
    expect(await read('infra/constructs/service-function.ts')).toContain('Runtime.NODEJS_22_X');
    expect(await read('infra/bundling.ts')).toMatch(/target: 'node22'/);
    expect((await read('.nvmrc')).trim()).toBe('22');
    expect(await read('docs/node-versions.md')).toMatch(/\*\*22\*\* \(`nodejs22\.x`\)/);
  });
});
