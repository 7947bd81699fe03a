/**
 * API keys over their life, through the HTTP API on the local runtime: an admin lists them
 * (never a key), creates one (shown once), revokes it (it stops working at once here), and can
 * never revoke the tenant's last admin key, not even with parallel revocations. lastUsedAt is
 * recorded at most once a minute per key. Another tenant's keys do not exist for an admin.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api';
import { startTwofold, tally, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold({ tenantName: 'Keyholders' });
});
afterAll(() => t.stop());

const keyIdOf = (key: string) => /^tf_([0-9a-f]{16})\./.exec(key)![1]!;
const list = async () => (await t.admin('GET', '/v1/admin/api-keys')).body.keys as { keyId: string; name: string; scope: string; prefix: string; createdAt: string; lastUsedAt: string | null }[];

describe('listing', () => {
  it("lists the tenant's keys with name, scope, prefix and times, never the key or its hash", async () => {
    const r = await t.admin('GET', '/v1/admin/api-keys');
    expect(r.status).toBe(200);
    const ids = [keyIdOf(t.tenant.appKey), keyIdOf(t.tenant.adminKey)];
    expect(r.body.keys.map((k: { keyId: string }) => k.keyId).sort()).toEqual(ids.sort());
    for (const key of r.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['createdAt', 'keyId', 'lastUsedAt', 'name', 'prefix', 'scope']);
      expect(key.prefix).toBe(`tf_${key.keyId}`);
    }
    expect(r.body.keys.find((k: { keyId: string }) => k.keyId === keyIdOf(t.tenant.appKey))).toMatchObject({ scope: 'app', name: 'initial app key' });
    for (const secret of [t.tenant.appKey, t.tenant.adminKey].map((k) => k.split('.')[1]!)) expect(r.text).not.toContain(secret);
  });

  it('an app key may not list, create or revoke keys (403 forbidden); no key is 401', async () => {
    expect((await t.app('GET', '/v1/admin/api-keys')).status).toBe(403);
    expect((await t.app('POST', '/v1/admin/api-keys', { name: 'sneaky', scope: 'admin' })).status).toBe(403);
    expect((await t.app('DELETE', `/v1/admin/api-keys/${keyIdOf(t.tenant.adminKey)}`)).status).toBe(403);
    const anon = await t.anon('GET', '/v1/admin/api-keys');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('unauthorized');
  });
});

describe('create and revoke', () => {
  it('a new key is shown once, works with its scope at once, and is listed without its secret', async () => {
    const r = await t.admin('POST', '/v1/admin/api-keys', { name: 'billing service', scope: 'app' });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toEqual({ keyId: expect.stringMatching(/^[0-9a-f]{16}$/), key: expect.stringMatching(/^tf_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/), name: 'billing service', scope: 'app', createdAt: new Date(t.clock.nowMs()).toISOString() });
    expect(keyIdOf(r.body.key)).toBe(r.body.keyId);
    const billing = api(t.baseUrl, r.body.key);
    expect((await billing('PUT', '/v1/users/ana', { email: 'ana@example.com' })).status).toBe(200);
    expect((await billing('GET', '/v1/admin/overview')).status).toBe(403);
    const listed = (await list()).find((k) => k.keyId === r.body.keyId);
    expect(listed).toMatchObject({ name: 'billing service', scope: 'app', prefix: `tf_${r.body.keyId}` });
    expect(JSON.stringify(await list())).not.toContain(r.body.key.split('.')[1]);
  });

  it('a revoked key stops working at once: 401 with the contract body, and it is gone from the list', async () => {
    const { body: created } = await t.admin('POST', '/v1/admin/api-keys', { name: 'leaked', scope: 'app' });
    const leaked = api(t.baseUrl, created.key);
    // used (and so cached) before the revocation
    expect((await leaked('GET', '/v1/policy')).status).toBe(200);
    const r = await t.admin('DELETE', `/v1/admin/api-keys/${created.keyId}`);
    expect(r.status).toBe(204);
    const after = await leaked('GET', '/v1/policy');
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(after.headers.get('www-authenticate')).toBe('Bearer');
    expect((await list()).map((k) => k.keyId)).not.toContain(created.keyId);
    // revoking it again: it does not exist any more
    const again = await t.admin('DELETE', `/v1/admin/api-keys/${created.keyId}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('api_key_not_found');
  });

  it('a revoked admin key loses admin access at once', async () => {
    const { body: created } = await t.admin('POST', '/v1/admin/api-keys', { name: 'second admin', scope: 'admin' });
    const second = api(t.baseUrl, created.key);
    expect((await second('GET', '/v1/admin/overview')).status).toBe(200);
    expect((await t.admin('DELETE', `/v1/admin/api-keys/${created.keyId}`)).status).toBe(204);
    expect((await second('GET', '/v1/admin/overview')).status).toBe(401);
  });

  it('a key id that is not a key id is 400; an unknown one 404', async () => {
    expect((await t.admin('DELETE', '/v1/admin/api-keys/not-a-key')).status).toBe(400);
    expect((await t.admin('DELETE', '/v1/admin/api-keys/0123456789abcdef')).body.error.code).toBe('api_key_not_found');
  });

  it.each([
    [{ name: 'x', scope: 'root' }, 'scope'],
    [{ scope: 'app' }, 'name'],
    [{ name: '', scope: 'app' }, 'name'],
    [{ name: 'x', scope: 'app', key: 'tf_0000000000000000.choose-my-own' }, 'key'],
  ])('a malformed creation %j is 400 naming %s, and creates nothing', async (body, field) => {
    const before = (await list()).length;
    const r = await t.admin('POST', '/v1/admin/api-keys', body);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error.details)).toContain(field);
    expect((await list()).length).toBe(before);
  });
});

describe("the tenant's last admin key", () => {
  it('cannot be revoked: 409 last_admin_key, and it still works', async () => {
    const admins = (await list()).filter((k) => k.scope === 'admin');
    expect(admins.map((k) => k.keyId)).toEqual([keyIdOf(t.tenant.adminKey)]);
    const r = await t.admin('DELETE', `/v1/admin/api-keys/${keyIdOf(t.tenant.adminKey)}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('last_admin_key');
    expect((await t.admin('GET', '/v1/admin/overview')).status).toBe(200);
  });

  it('threat: 5 admin keys revoked all at once, in parallel, leave exactly one that works', async () => {
    const created = await Promise.all([1, 2, 3, 4].map((i) => t.admin('POST', '/v1/admin/api-keys', { name: `admin ${i}`, scope: 'admin' })));
    const keys = [t.tenant.adminKey, ...created.map((c) => c.body.key as string)];
    const results = await Promise.all(keys.map((key) => t.admin('DELETE', `/v1/admin/api-keys/${keyIdOf(key)}`)));
    expect(tally(results)).toEqual({ 204: 4, 409: 1 });
    const survivor = keys[results.findIndex((r) => r.status === 409)]!;
    // the survivor is the admin key from now on
    t.tenant.adminKey = survivor;
    t.admin = api(t.baseUrl, survivor);
    expect((await list()).filter((k) => k.scope === 'admin').map((k) => k.keyId)).toEqual([keyIdOf(survivor)]);
    expect((await api(t.baseUrl, survivor)('GET', '/v1/admin/overview')).status).toBe(200);
    for (const key of keys.filter((k) => k !== survivor)) expect((await api(t.baseUrl, key)('GET', '/v1/admin/overview')).status).toBe(401);
  });
});

describe('lastUsedAt', () => {
  it('is null until the key is used, then the time of use; later uses within a minute write nothing', async () => {
    const { body: created } = await t.admin('POST', '/v1/admin/api-keys', { name: 'reporting', scope: 'app' });
    expect((await list()).find((k) => k.keyId === created.keyId)!.lastUsedAt).toBeNull();
    const reporting = api(t.baseUrl, created.key);
    const first = t.clock.nowMs();
    const usageWrites = () => t.runtime.deps.db.send(new ScanCommand({ TableName: t.runtime.deps.config.tables.directory, FilterExpression: 'sk = :k', ExpressionAttributeValues: { ':k': created.keyId } }));
    expect((await reporting('GET', '/v1/policy')).status).toBe(200);
    expect((await list()).find((k) => k.keyId === created.keyId)!.lastUsedAt).toBe(new Date(first).toISOString());
    // 30 s later, 10 more requests: still the first use (no write within the minute)
    t.clock.advanceSeconds(30);
    for (let i = 0; i < 10; i++) expect((await reporting('GET', '/v1/policy')).status).toBe(200);
    expect((await list()).find((k) => k.keyId === created.keyId)!.lastUsedAt).toBe(new Date(first).toISOString());
    expect((await usageWrites()).Items).toHaveLength(1);
    // past the minute: the next use is recorded
    t.clock.advanceSeconds(31);
    expect((await reporting('GET', '/v1/policy')).status).toBe(200);
    expect((await list()).find((k) => k.keyId === created.keyId)!.lastUsedAt).toBe(new Date(first + 61_000).toISOString());
  });
});

describe('tenants apart', () => {
  it("another tenant's admin neither sees nor revokes this tenant's keys", async () => {
    const other = await t.runtime.createTenant('Elsewhere');
    const otherAdmin = api(t.baseUrl, other.adminKey);
    const theirs = (await otherAdmin('GET', '/v1/admin/api-keys')).body.keys.map((k: { keyId: string }) => k.keyId);
    expect(theirs.sort()).toEqual([keyIdOf(other.appKey), keyIdOf(other.adminKey)].sort());
    const r = await otherAdmin('DELETE', `/v1/admin/api-keys/${keyIdOf(t.tenant.appKey)}`);
    expect(r.status).toBe(404);
    expect((await t.app('GET', '/v1/policy')).status).toBe(200);
  });
});
