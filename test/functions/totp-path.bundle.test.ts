/**
 * A TOTP login (verify) and a TOTP enrolment (enrollment) load neither @simplewebauthn/server
 * nor libphonenumber-js's metadata: each function is built as the stack builds its asset
 * (`bundleFunction`, infra/bundling.ts: code split), and what importing its entry loads (the
 * entry and its static chunks, from the esbuild metafile) holds none of either; both are in
 * lazy chunks, loaded by the dynamic imports of the passkey and phone paths. The entry still
 * imports, and exports its handler, with those chunks deleted from the asset. That the passkey
 * and phone paths work from these chunks is for the twin's end-to-end suites (test/e2e), which
 * run the synthesized assets. The memory adapters of the in-process tests are in no chunk.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, loadedAtImport, type OutputPart } from '../../infra/bundling';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

const passkeyLibrary = /node_modules\/@simplewebauthn\/server\//;
// the metadata (metadata.max.json.js and the like) and the code that reads it: none of the package
const phoneLibrary = /node_modules\/libphonenumber-js\//;
// the in-process tests' storage (packages/local/src/memory-storage.ts): no deployed function has it
const memoryAdapters = /packages\/adapters\/src\/memory\//;
const holds = (parts: OutputPart[], library: RegExp) => parts.filter((part) => Object.keys(part.inputs).some((input) => library.test(input)));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twofold-totp-path-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['verify', 'enrollment'] as const)('the %s function, as deployed', (name) => {
  it('loads neither the WebAuthn library nor the phone metadata when its entry is imported; both are lazy chunks; no chunk holds the memory adapters', () => {
    const outdir = join(dir, name);
    const { loaded, lazy } = loadedAtImport(bundleFunction(name, outdir, { root, tracing: false }), name);

    expect(holds(loaded, passkeyLibrary)).toEqual([]);
    expect(holds(loaded, phoneLibrary)).toEqual([]);
    // ... and the entry does load the TOTP code it answers with
    expect(loaded.some((part) => Object.keys(part.inputs).some((input) => input.endsWith('packages/core/src/factors/totp/totp.ts')))).toBe(true);
    expect(holds(lazy, passkeyLibrary)).not.toEqual([]);
    expect(holds(lazy, phoneLibrary)).not.toEqual([]);
    // no chunk holds both: a passkey answer does not read the phone metadata, nor a phone enrolment the WebAuthn library
    expect(holds(lazy, passkeyLibrary).filter((part) => holds([part], phoneLibrary).length > 0)).toEqual([]);
    expect(holds([...loaded, ...lazy], memoryAdapters)).toEqual([]);
  }, 120_000);

  it('imports in a fresh process with the passkey and phone chunks deleted', async () => {
    const outdir = join(dir, `${name}-without-lazy`);
    const { entry, lazy } = loadedAtImport(bundleFunction(name, outdir, { root, tracing: false }), name);
    for (const part of [...holds(lazy, passkeyLibrary), ...holds(lazy, phoneLibrary)]) rmSync(resolve(root, part.path));
    const url = pathToFileURL(resolve(root, entry)).href;
    // no TWOFOLD_* settings: a function reads its config on its first invocation, not on import
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TWOFOLD_')));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler)`], { cwd: outdir, env });
    expect(stdout.trim()).toBe('function');
  }, 120_000);
});
