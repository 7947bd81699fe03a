/**
 * GET /openapi.json works with the tools a client-app developer points at it: Redocly CLI's
 * recommended rules find no error (unresolved references, empty servers, public routes without
 * `security: []`), and openapi-typescript generates types from it that compile under strict
 * tsc. Both run offline from node_modules, on the document as served.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../support/api';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const run = promisify(execFile);
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
// no telemetry, no update check: the machines are offline
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

let t: Twofold;
let dir: string;
let docFile: string;
let doc: Json;
let text: string;

beforeAll(async () => {
  t = await testService();
  const r = await t.anon('GET', '/openapi.json');
  expect(r.status).toBe(200);
  text = r.text;
  doc = r.body;
  dir = mkdtempSync(join(tmpdir(), 'twofold-openapi-'));
  docFile = join(dir, 'openapi.json');
  writeFileSync(docFile, text);
});
afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the document a generator reads', () => {
  it('has every named schema in components/schemas, referenced as #/components/schemas/… and nothing else', () => {
    expect(text).not.toContain('$defs');
    const refs = [...text.matchAll(/"\$ref":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(doc.components.schemas, ref).toHaveProperty(ref.split('/').at(-1)!);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['User', 'Factor', 'Policy', 'ChallengeCreated', 'ChallengeVerified', 'Error']));
  });

  it('says where the API is: servers is the address it was asked at', () => {
    expect(doc.servers).toEqual([{ url: t.baseUrl }]);
  });

  it('gives integers their real bounds, never the safe-integer limits', () => {
    expect(text).not.toMatch(/9007199254740991/);
    expect(doc.components.schemas.Policy.properties.lockoutSeconds).toMatchObject({ type: 'integer', minimum: 60, maximum: 86400 });
    expect(doc.components.schemas.User.properties.recoveryCodesRemaining).toMatchObject({ type: 'integer', minimum: 0 });
  });

  it('tags and describes every operation, and every tag is declared with a description', () => {
    const declared = new Map((doc.tags as Json[]).map((tag) => [tag.name, tag.description]));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.description, `${method} ${path}`).toMatch(/\w{3,}.*\w{3,}/);
        expect(op.tags, `${method} ${path}`).toHaveLength(1);
        expect(declared.get(op.tags[0]), op.tags[0]).toBeTruthy();
      }
    }
  });

  it('gives the login step and enrollment examples of their requests and responses', () => {
    const verify = doc.paths['/v1/challenges/{challengeId}/verify'].post;
    expect(verify.requestBody.content['application/json'].example).toMatchObject({ code: expect.stringMatching(/^\d{6}$/) });
    expect(verify.responses['200'].content['application/json'].example).toMatchObject({ verified: true });
    expect(verify.responses['422'].content['application/json'].examples.invalid_code.value.error).toMatchObject({ code: 'invalid_code', attemptsRemaining: expect.any(Number) });
    expect(verify.responses['423'].headers).toHaveProperty('Retry-After');
    expect(doc.paths['/v1/users/{userId}/factors'].post.responses['201'].content['application/json'].example).toMatchObject({ type: 'totp' });
  });

  it('documents the Idempotency-Key and Twofold-Assertion headers where they apply', () => {
    const headerNames = (op: Json) => (op.parameters as Json[]).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headerNames(doc.paths['/v1/users/{userId}/challenges'].post)).toEqual(['Idempotency-Key']);
    expect(headerNames(doc.paths['/v1/users/{userId}/two-factor'].delete)).toEqual(['Twofold-Assertion']);
    expect(headerNames(doc.paths['/v1/challenges/{challengeId}/verify'].post)).toEqual([]);
  });
});

describe('the tools', () => {
  it('redocly lint (recommended rules) reports no error', async () => {
    const { stdout } = await run(bin('redocly'), ['lint', docFile, '--extends', 'recommended', '--format', 'json'], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`redocly lint failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
      },
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] };
    const errors = report.problems.filter((p) => p.severity === 'error');
    expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);

  it('openapi-typescript generates types that compile under strict tsc, and a typed call uses them', async () => {
    const typesFile = join(dir, 'twofold.d.ts');
    await run(bin('openapi-typescript'), [docFile, '--output', typesFile], { env });
    // what a client app would write with the generated types: a wrong field would not compile
    writeFileSync(
      join(dir, 'usage.ts'),
      [
        "import type { components, paths } from './twofold';",
        "type Verified = components['schemas']['ChallengeVerified'];",
        "type VerifyBody = paths['/v1/challenges/{challengeId}/verify']['post']['requestBody'];",
        "const body: NonNullable<VerifyBody>['content']['application/json'] = { code: '123456', rememberDevice: true };",
        "const ok = (v: Verified): string => v.assertion + v.method + String(v.recoveryCodesRemaining);",
        "type Code = components['schemas']['Error']['error']['code'];",
        "const code: Code = 'invalid_code';",
        'export { body, ok, code };',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noUncheckedIndexedAccess: true, types: [] }, files: ['twofold.d.ts', 'usage.ts'] }),
    );
    await run(bin('tsc'), ['-p', join(dir, 'tsconfig.json')], { env }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed on the generated types:\n${error.stdout ?? ''}`);
    });
  }, 60_000);
});
