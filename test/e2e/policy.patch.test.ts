/**
 * PATCH /v1/policy (JSON merge patch, RFC 7396) over HTTP: only the fields sent change, a null
 * resets a field to its default, the result is refused exactly as a PUT would be, another media
 * type is 415, and only an admin may patch. And the defect that led here: a PUT without
 * totp.issuer keeps the tenant's issuer instead of resetting it to "Twofold".
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService({ tenantName: 'Patchwork Ltd' });
});
afterAll(() => t.stop());

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };
const patch = (body: unknown, headers: Record<string, string> = MERGE_PATCH) => t.admin('PATCH', '/v1/policy', body, { headers });
const policy = async () => (await t.app('GET', '/v1/policy')).body;

let defaults: Record<string, unknown>;
beforeAll(async () => {
  defaults = await policy();
});
// every test starts from the tenant's defaults
beforeEach(async () => {
  expect((await t.admin('PUT', '/v1/policy', defaults)).status).toBe(200);
});

describe('PATCH changes only the fields it names', () => {
  it('one nested field: its siblings and every other field stay as they were', async () => {
    await patch({ totp: { issuer: 'Patchwork Staff' }, codeTimeoutSeconds: 300 });
    const r = await patch({ methods: { allowFallback: false } });
    expect(r.status, r.text).toBe(200);
    const expected = { ...defaults, codeTimeoutSeconds: 300, totp: { ...(defaults.totp as object), issuer: 'Patchwork Staff' }, methods: { ...(defaults.methods as object), allowFallback: false } };
    expect(r.body).toEqual(expected);
    expect(await policy()).toEqual(expected);
  });

  it('an array is replaced whole (RFC 7396), not merged', async () => {
    const r = await patch({ methods: { allowed: ['totp'] } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.methods).toEqual({ allowed: ['totp'], default: 'totp', allowFallback: true, roleRules: [] });
  });

  it('null removes a field, which takes its default again', async () => {
    await patch({ lockoutSeconds: 1200, enforcement: { gracePeriodDays: 14 } });
    const r = await patch({ lockoutSeconds: null, enforcement: { gracePeriodDays: null } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.lockoutSeconds).toBe(600);
    expect(r.body.enforcement.gracePeriodDays).toBe(7);
  });

  it('application/json (with a charset) is taken too; an empty patch changes nothing', async () => {
    const r = await patch({ prompt: 'unrecognized_devices' }, { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.prompt).toBe('unrecognized_devices');
    const empty = await patch({});
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ ...defaults, prompt: 'unrecognized_devices' });
  });

  it('is audited as policy.updated naming the fields it changed', async () => {
    t.clock.advanceSeconds(1); // newest first: after the reset of beforeEach
    await patch({ resendLimit: 5 });
    const events = (await t.admin('GET', '/v1/admin/audit')).body.events.filter((e: { type: string }) => e.type === 'policy.updated');
    expect(events[0]).toMatchObject({ actor: 'admin', details: { changed: 'resendLimit' } });
  });
});

describe('the patched policy is checked like a PUT', () => {
  it.each([
    ['a default method that the patch leaves unallowed', { methods: { allowed: ['email'] } }, 'methods.default'],
    ['a field out of range', { lockoutSeconds: 5 }, 'lockoutSeconds'],
    ['an unknown field', { codeTimeoutSecs: 300 }, 'codeTimeoutSecs'],
    ['a nested field of the wrong type', { totp: { digits: '6' } }, 'totp.digits'],
    ['roles mode without roles', { enforcement: { mode: 'roles' } }, 'enforcement.roles'],
    ['a patch that replaces an object with a scalar', { methods: 'totp' }, 'methods'],
  ])('%s: 422 invalid_policy naming %s, and nothing saved', async (_name, body, field) => {
    const r = await patch(body);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.code).toBe('invalid_policy');
    expect(r.body.error.message).toContain(field);
    expect(await policy()).toEqual(defaults);
  });

  it('a body that is not an object (a JSON array) is refused, as a PUT would refuse it', async () => {
    const r = await patch([{ op: 'replace', path: '/prompt', value: 'every_login' }]);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_policy');
  });
});

describe('who and how', () => {
  it('another media type (JSON Patch, form data, none): 415 unsupported_media_type, nothing saved', async () => {
    for (const type of ['application/json-patch+json', 'application/x-www-form-urlencoded', 'text/plain']) {
      const r = await t.admin('PATCH', '/v1/policy', undefined, { raw: '{"prompt":"unrecognized_devices"}', headers: { 'content-type': type } });
      expect(r.status, type).toBe(415);
      expect(r.body.error).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('application/merge-patch+json') });
    }
    expect(await policy()).toEqual(defaults);
  });

  it('an app key may not patch (403 forbidden); no key is 401', async () => {
    expect((await t.app('PATCH', '/v1/policy', { prompt: 'unrecognized_devices' }, { headers: MERGE_PATCH })).status).toBe(403);
    expect((await t.anon('PATCH', '/v1/policy', { prompt: 'unrecognized_devices' }, { headers: MERGE_PATCH })).status).toBe(401);
    expect(await policy()).toEqual(defaults);
  });
});

describe('PUT takes the whole object, without resetting the issuer', () => {
  it("a PUT without totp.issuer keeps the tenant's name as issuer (the defect: it became \"Twofold\")", async () => {
    expect((defaults.totp as { issuer: string }).issuer).toBe('Patchwork Ltd');
    const r = await t.admin('PUT', '/v1/policy', { codeTimeoutSeconds: 900 });
    expect(r.status, r.text).toBe(200);
    expect(r.body.totp.issuer).toBe('Patchwork Ltd');
    // the other absent fields take their defaults, as PUT always did
    expect(r.body).toEqual({ ...defaults, codeTimeoutSeconds: 900 });
  });

  it('a PUT that names an issuer sets it; a later PUT without one is back to the tenant name', async () => {
    expect((await t.admin('PUT', '/v1/policy', { totp: { issuer: 'Other' } })).body.totp.issuer).toBe('Other');
    expect((await t.admin('PUT', '/v1/policy', { totp: { digits: 8 } })).body.totp).toEqual({ ...(defaults.totp as object), digits: 8 });
  });
});
