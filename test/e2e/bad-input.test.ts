/**
 * Whatever a client sends, the answer is the contract's 4xx with a clear error body
 * `{"error": {"code", "message", "details"?}}`, and never a 5xx: malformed JSON, wrong types,
 * oversized bodies, unknown routes and methods, bad ids, missing or wrong keys. Validation
 * details name the field, never echo the value sent.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type ApiResponse } from '../support/api';
import { challengeFor, enrolTotp, startTwofold, type Enrolment, type Twofold } from '../support/twofold';

let t: Twofold;
let alice: Enrolment;
let challengeId: string;

beforeAll(async () => {
  t = await startTwofold();
  alice = await enrolTotp(t, t.app, 'alice');
  challengeId = await challengeFor(t.app, 'alice');
});
afterAll(() => t?.stop());

/** The contract's error shape, the status and the code; details when asked for. */
function expectError(r: ApiResponse, status: number, code: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(r.body)).toEqual(['error']);
  expect(r.body.error.code).toBe(code);
  expect(r.body.error.message).toEqual(expect.any(String));
  expect(r.body.error.message.length).toBeGreaterThan(5);
  // nothing of the machinery leaks
  expect(r.text).not.toMatch(/at .+\.ts:\d+|node_modules|ZodError|DynamoDB|ConditionalCheck/);
}

/** The `details` paths of a 400. */
const detailPaths = (r: ApiResponse): string[] => {
  expect(Array.isArray(r.body.error.details), r.text).toBe(true);
  for (const d of r.body.error.details) expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
  return r.body.error.details.map((d: { path: string }) => d.path);
};

describe('malformed JSON', () => {
  it.each([
    ['cut short', '{"method":'],
    ['not JSON at all', 'method=totp'],
    ['single quotes', "{'method': 'totp'}"],
    ['a trailing comma', '{"method": "totp",}'],
  ])('%s: 400 invalid_request', async (_, raw) => {
    const r = await t.app('POST', '/v1/users/alice/challenges', undefined, { raw });
    expectError(r, 400, 'invalid_request');
    expect(r.body.error.message).toMatch(/JSON/);
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"totp"'],
    ['a number', '42'],
  ])('JSON that is %s where an object is expected: 400 invalid_request', async (_, raw) => {
    const r = await t.app('POST', '/v1/users/alice/factors', undefined, { raw });
    expectError(r, 400, 'invalid_request');
  });
});

describe('fields of the wrong type or shape: 400 invalid_request with details naming the field', () => {
  const f = () => alice.factorId;
  it.each([
    ['a number as label', 'POST', () => '/v1/users/alice/factors', { type: 'totp', label: 42 }, 'body.label'],
    ['an unknown factor type', 'POST', () => '/v1/users/alice/factors', { type: 'carrier-pigeon' }, 'body.type'],
    ['a number as code', 'POST', () => `/v1/challenges/${challengeId}/verify`, { code: 123456 }, 'body.code'],
    ['letters as code', 'POST', () => `/v1/challenges/${challengeId}/verify`, { code: 'abcdef' }, 'body.code'],
    ['a 5-digit code', 'POST', () => `/v1/challenges/${challengeId}/verify`, { code: '12345' }, 'body.code'],
    ['a number as recovery code', 'POST', () => `/v1/challenges/${challengeId}/verify`, { recoveryCode: 1 }, 'body.recoveryCode'],
    ['an unknown method', 'POST', () => '/v1/users/alice/challenges', { method: 'carrier-pigeon' }, 'body.method'],
    ['a number as context.ip', 'POST', () => '/v1/users/alice/challenges', { context: { ip: 5 } }, 'body.context.ip'],
    ['a string as roles', 'PUT', () => '/v1/users/alice', { roles: 'admin' }, 'body.roles'],
    ['a string as sso', 'PUT', () => '/v1/users/alice', { sso: 'yes' }, 'body.sso'],
    ['a number as the factor code', 'POST', () => `/v1/users/alice/factors/${f()}/verify`, { code: 1 }, 'body.code'],
  ])('%s', async (_, method, path, body, field) => {
    const r = await t.app(method, path(), body);
    expectError(r, 400, 'invalid_request');
    expect(detailPaths(r)).toContain(field);
  });

  it('an unknown field is refused (strict bodies)', async () => {
    const r = await t.app('POST', '/v1/users/alice/factors', { type: 'totp', isAdmin: true });
    expectError(r, 400, 'invalid_request');
    expect(r.body.error.details.map((d: { message: string }) => d.message).join(' ')).toMatch(/isAdmin/);
  });

  it.each([
    ['both code and recoveryCode', { code: '123456', recoveryCode: 'aaaa-bbbb-cccc-dddd' }],
    ['neither', {}],
  ])('a verify with %s is refused, and counts no attempt', async (_, body) => {
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, body);
    expectError(r, 400, 'invalid_request');
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body.attemptsRemaining).toBe(5);
  });

  it('details never echo the value sent', async () => {
    const value = 'hunter2-not-a-code-ZQXJ';
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: value });
    expectError(r, 400, 'invalid_request');
    expect(r.text).not.toContain(value);
  });
});

describe('body size', () => {
  it('a 1 MiB body: 413 payload_too_large', async () => {
    const r = await t.app('POST', '/v1/users/alice/factors', undefined, { raw: JSON.stringify({ type: 'totp', label: 'x'.repeat(1024 * 1024) }) });
    expectError(r, 413, 'payload_too_large');
  });

  it('16 KiB is the line: one byte over is 413, at the limit the body is read (and here refused for its content)', async () => {
    const shaped = (bytes: number) => {
      const base = JSON.stringify({ type: 'totp', label: '' });
      return JSON.stringify({ type: 'totp', label: 'x'.repeat(bytes - base.length) });
    };
    expect(Buffer.byteLength(shaped(16 * 1024))).toBe(16 * 1024);
    expectError(await t.app('POST', '/v1/users/alice/factors', undefined, { raw: shaped(16 * 1024 + 1) }), 413, 'payload_too_large');
    const atLimit = await t.app('POST', '/v1/users/alice/factors', undefined, { raw: shaped(16 * 1024) });
    expectError(atLimit, 400, 'invalid_request');
    expect(detailPaths(atLimit)).toContain('body.label');
  });

  it('multi-byte characters count as bytes, not characters', async () => {
    const r = await t.app('POST', '/v1/users/alice/factors', undefined, { raw: JSON.stringify({ type: 'totp', label: '€'.repeat(6000) }) });
    expectError(r, 413, 'payload_too_large');
  });
});

describe('routes and methods', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['GET', '/v1/users'],
    ['GET', '/v1/users/alice/'],
    ['POST', '/v2/users/alice/challenges'],
    ['GET', '/v1/users//factors'],
    ['GET', '/'],
  ])('%s %s: 404 not_found, with a key and without', async (method, path) => {
    expectError(await t.app(method, path), 404, 'not_found');
    expectError(await t.anon(method, path), 404, 'not_found');
  });

  it.each([
    ['PATCH', '/v1/users/alice', ['DELETE', 'GET', 'PUT']],
    ['DELETE', () => `/v1/challenges/${challengeId}`, ['GET']],
    ['GET', () => `/v1/challenges/${challengeId}/verify`, ['POST']],
    ['PUT', '/v1/users/alice/factors', ['GET', 'POST']],
    ['POST', '/health', ['GET']],
  ] as const)('%s on a known path: 405 method_not_allowed, with Allow naming the methods it takes', async (method, path, allowed) => {
    const r = await t.app(method, typeof path === 'function' ? path() : path);
    expectError(r, 405, 'method_not_allowed');
    // RFC 9110 §15.5.6: a 405 response must carry Allow
    expect((r.headers.get('allow') ?? '').split(/,\s*/).sort()).toEqual([...allowed].sort());
  });
});

describe('ids in the path', () => {
  it.each([
    ['with a space', 'a%20b'],
    ['of 129 characters', 'a'.repeat(129)],
    ['with a slash (encoded)', '..%2Fetc'],
    ['with a non-ASCII letter', '%C3%A5lice'],
    ['with a quote', "o'brien"],
  ])('a userId %s: 400 invalid_request naming path.userId', async (_, userId) => {
    for (const [method, path] of [
      ['GET', `/v1/users/${userId}`],
      ['PUT', `/v1/users/${userId}`],
      ['POST', `/v1/users/${userId}/factors`],
      ['POST', `/v1/users/${userId}/challenges`],
    ] as const) {
      const r = await t.app(method, path, method === 'GET' ? undefined : method === 'POST' && path.endsWith('factors') ? { type: 'totp' } : {});
      expectError(r, 400, 'invalid_request');
      expect(detailPaths(r)).toContain('path.userId');
    }
  });

  it('a userId of 128 characters of every allowed kind is fine', async () => {
    const userId = ('Az09._@:+-'.repeat(13)).slice(0, 128);
    const r = await t.app('PUT', `/v1/users/${encodeURIComponent(userId)}`, {});
    expect(r.status).toBe(200);
    expect(r.body.userId).toBe(userId);
  });

  it('a factorId or challengeId of the wrong shape: 400 naming it', async () => {
    for (const [method, path, body, field] of [
      ['POST', '/v1/users/alice/factors/not-an-id/verify', { code: '123456' }, 'path.factorId'],
      ['DELETE', '/v1/users/alice/factors/f_%24%24%24%24%24%24%24%24%24', undefined, 'path.factorId'],
      ['GET', '/v1/challenges/nope', undefined, 'path.challengeId'],
      // a challenge id holds 128 random bits and the user's id: at most 200 characters after its prefix
      ['POST', `/v1/challenges/${'ch_' + 'A'.repeat(201)}/verify`, { code: '123456' }, 'path.challengeId'],
    ] as const) {
      const r = await t.admin(method, path, body);
      expectError(r, 400, 'invalid_request');
      expect(detailPaths(r)).toContain(field);
    }
  });

  it('a well-formed but unknown factorId or challengeId: 404', async () => {
    const unknownFactor = 'f_AAAAAAAAAAAAAAAAAAAAAA';
    const unknownChallenge = 'ch_AAAAAAAAAAAAAAAAAAAAAA';
    expectError(await t.app('POST', `/v1/users/alice/factors/${unknownFactor}/verify`, { code: '123456' }), 404, 'factor_not_found');
    expectError(await t.admin('DELETE', `/v1/users/alice/factors/${unknownFactor}`), 404, 'factor_not_found');
    expectError(await t.app('GET', `/v1/challenges/${unknownChallenge}`), 404, 'challenge_not_found');
    expectError(await t.app('POST', `/v1/challenges/${unknownChallenge}/verify`, { code: '123456' }), 404, 'challenge_not_found');
  });

  it('an unknown user: 404 user_not_found', async () => {
    expectError(await t.app('GET', '/v1/users/nobody'), 404, 'user_not_found');
    expectError(await t.app('GET', '/v1/users/nobody/factors'), 404, 'user_not_found');
  });
});

describe('API keys', () => {
  const flip = (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  it.each([
    ['no Authorization header', () => undefined],
    ['an empty Bearer', () => ({ authorization: 'Bearer ' })],
    ['Basic credentials', () => ({ authorization: 'Basic ' + Buffer.from('alice:secret').toString('base64') })],
    ['the key without the Bearer scheme', () => ({ authorization: t.tenant.appKey })],
    ['a key of the right shape that does not exist', () => ({ authorization: `Bearer tf_0123456789abcdef.${'A'.repeat(43)}` })],
    ['a real key id with a wrong secret', () => ({ authorization: `Bearer ${flip(t.tenant.appKey)}` })],
    ['a real key with something appended', () => ({ authorization: `Bearer ${t.tenant.appKey}x` })],
    ['two keys', () => ({ authorization: `Bearer ${t.tenant.appKey} ${t.tenant.adminKey}` })],
    ['garbage', () => ({ authorization: "Bearer tf_'; DROP TABLE keys;--" })],
    ['a very long key', () => ({ authorization: `Bearer tf_${'a'.repeat(8000)}` })],
  ])('%s: 401 unauthorized', async (_, headers) => {
    const h = headers();
    for (const [method, path, body] of [
      ['GET', '/v1/users/alice', undefined],
      ['POST', '/v1/users/alice/challenges', {}],
      ['POST', `/v1/challenges/${challengeId}/verify`, { code: '123456' }],
    ] as const) {
      const r = await api(t.baseUrl)(method, path, body, h ? { headers: h } : {});
      expectError(r, 401, 'unauthorized');
      // RFC 9110 §15.5.2: a 401 must carry WWW-Authenticate
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('a key in the query string is not a key', async () => {
    expectError(await t.anon('GET', `/v1/users/alice?apiKey=${encodeURIComponent(t.tenant.appKey)}`), 401, 'unauthorized');
  });

  it('without a key, nothing is validated or looked up first: a bad userId or an unknown challenge still answers 401', async () => {
    expectError(await t.anon('GET', '/v1/users/a%20b'), 401, 'unauthorized');
    expectError(await t.anon('GET', '/v1/challenges/ch_AAAAAAAAAAAAAAAAAAAAAA'), 401, 'unauthorized');
    expectError(await t.anon('POST', '/v1/users/alice/factors', undefined, { raw: '{"type":' }), 401, 'unauthorized');
  });

  it('the scheme name is case-insensitive (RFC 9110 §11.1)', async () => {
    const r = await api(t.baseUrl)('GET', '/v1/users/alice', undefined, { headers: { authorization: `bearer ${t.tenant.appKey}` } });
    expect(r.status).toBe(200);
  });
});

describe('arbitrary input never gets a 5xx', () => {
  it('any JSON value as the body of each route that takes one: 2xx or 4xx with the error shape', async () => {
    const targets = [
      ['PUT', '/v1/users/fuzz'],
      ['POST', '/v1/users/fuzz/factors'],
      ['POST', '/v1/users/alice/challenges'],
      ['POST', `/v1/challenges/${challengeId}/verify`],
      ['POST', `/v1/users/alice/factors/${alice.factorId}/verify`],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.jsonValue(), async ([method, path], body) => {
        const r = await t.app(method, path, body);
        expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${r.text}`).toBeLessThan(500);
        if (r.status >= 400) expect(Object.keys(r.body)).toEqual(['error']);
      }),
      { numRuns: 150 },
    );
  });

  it('any string as a path segment: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), async (segment) => {
        const id = encodeURIComponent(segment);
        for (const path of [`/v1/users/${id}`, `/v1/challenges/${id}`]) {
          const r = await t.app('GET', path);
          expect(r.status, `${path} → ${r.text}`).toBeLessThan(500);
          expect(Object.keys(r.body ?? {})).not.toContain('stack');
        }
      }),
      { numRuns: 100 },
    );
  });
});
