/**
 * Erasure: DELETE /v1/users/{userId} leaves nothing of the user in any table — profile (email,
 * phone), factors, recovery codes, login item and challenges, trusted devices and remembered
 * IPs, send counters, their audit entries — but one `user.deleted`, and their share of the
 * overview. Checked by reading every table raw. The same userId then enrols from scratch.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool } from '../support/authenticator';
import { challengeFor, enrolTotp, startTwofold, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofold();
});
afterAll(() => t?.stop());

/** Every item of every table that mentions the user, in any attribute. */
async function itemsMentioning(userId: string): Promise<{ table: string; item: Record<string, unknown> }[]> {
  const found: { table: string; item: Record<string, unknown> }[] = [];
  for (const table of Object.values(t.runtime.deps.config.tables)) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await t.runtime.deps.db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) if (JSON.stringify(item).includes(userId) || JSON.stringify(item).includes(Buffer.from(userId).toString('base64url'))) found.push({ table, item });
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return found;
}

describe('DELETE /v1/users/{userId}', () => {
  it('erases every item of the user but one user.deleted, and their share of the overview', async () => {
    const userId = 'leaver-7f3a';
    const before = (await t.admin('GET', '/v1/admin/overview')).body;
    await t.app('PUT', `/v1/users/${userId}`, { email: 'leaver@example.com', phone: '+33612345678', roles: ['admin'] });
    const { secret } = await enrolTotp(t, t.app, userId);
    t.clock.advanceSeconds(30);
    const challengeId = await challengeFor(t.app, userId, { context: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 Chrome/120 Linux' } });
    const login = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await oathtool(secret, t.clock.nowMs()), rememberDevice: true });
    expect(login.status).toBe(200);
    await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { code: '000000' });
    expect((await itemsMentioning(userId)).length).toBeGreaterThan(5);

    const erased = await t.app('DELETE', `/v1/users/${userId}`);
    expect(erased.status).toBe(204);
    const left = await itemsMentioning(userId);
    expect(left.map((l) => l.item.type ?? l.item.sk)).toEqual(['user.deleted']);
    expect(JSON.stringify(left)).not.toContain('leaver@example.com');
    expect((await t.admin('GET', '/v1/admin/overview')).body).toMatchObject({ totalUsers: before.totalUsers, enrolled: before.enrolled });
    expect((await t.app('GET', `/v1/users/${userId}`)).status).toBe(404);
    expect((await t.app('DELETE', `/v1/users/${userId}`)).status).toBe(404);

    // the same id enrols again from scratch: new factor, new recovery codes, no lock, no device
    const again = await enrolTotp(t, t.app, userId);
    expect(again.recoveryCodes).toHaveLength(8);
    expect((await t.app('GET', `/v1/users/${userId}`)).body).toMatchObject({ status: 'enrolled', lockedUntil: null });
    expect((await t.app('GET', `/v1/users/${userId}/devices`)).body.devices).toEqual([]);
  });

  it('an unknown user: 404 user_not_found', async () => {
    const r = await t.app('DELETE', '/v1/users/never-was');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('user_not_found');
  });
});

describe('policy.auditRetentionDays', () => {
  it("gives every audit entry of a user an expiry (DynamoDB's TTL) that many days after it", async () => {
    const current = (await t.admin('GET', '/v1/policy')).body;
    expect(current.auditRetentionDays).toBe(365);
    expect((await t.admin('PUT', '/v1/policy', { ...current, auditRetentionDays: 29 })).status).toBe(422);
    expect((await t.admin('PUT', '/v1/policy', { ...current, auditRetentionDays: 30 })).status).toBe(200);
    t.runtime.deps.forgetTenant(t.tenant.tenantId);
    await enrolTotp(t, t.app, 'kept-30-days');
    const { Items = [] } = await t.runtime.deps.db.send(new ScanCommand({ TableName: t.runtime.deps.config.tables.events }));
    const mine = Items.filter((i) => i.userId === 'kept-30-days');
    expect(mine.length).toBeGreaterThan(0);
    for (const item of mine) expect(item.expiresAtEpoch).toBe(Math.ceil(Date.parse(item.at as string) / 1000) + 30 * 86_400);
  });
});
