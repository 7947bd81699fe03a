/**
 * Turning two-factor on and off, as client apps learn it from security events: the first
 * confirmed factor emits `factor.added` and `two_factor.enabled` (a second factor only
 * `factor.added`); removing a factor emits `factor.removed`, and `two_factor.disabled` when it
 * was the last; regenerating recovery codes emits `recovery_codes.regenerated`. Disabling 2FA
 * emits exactly one `two_factor.disabled` — however often or concurrently it is asked — and
 * revokes every trusted device. Each event names the tenant, the user, the time and the actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvent } from '@twofold/contract';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, type Twofold } from '../support/twofold';
import { eventsOf, freshAssertion, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
beforeAll(async () => {
  t = await startTwofoldWithEvents();
});
afterAll(() => t?.stop());

const now = () => new Date(t.clock.nowMs()).toISOString();
const typesOf = async (userId: string) => (await eventsOf(t, userId)).map((e) => e.type);

/** Logs in with the authenticator and asks to remember the device; returns the device token. */
async function rememberDevice(userId: string, secret: string): Promise<string> {
  const challengeId = await challengeFor(t.app, userId);
  const verified = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: await nextCode(t, secret), rememberDevice: true });
  expect(verified.status).toBe(200);
  return verified.body.deviceToken;
}

/** What an event made with the tenant's first admin key says of it. */
const byAdminKey = { byKeyId: expect.any(String), byKeyName: 'initial admin key' };

describe('enrolment', () => {
  it('the first confirmed factor emits factor.added then two_factor.enabled, with tenant, user, time and actor', async () => {
    const { factorId } = await enrolTotp(t, t.app, 'erin');
    const events = await eventsOf(t, 'erin');
    expect(events.map((e) => SecurityEvent.parse(e))).toEqual([
      { eventId: expect.stringMatching(/^ev_/), type: 'factor.added', tenantId: t.tenant.tenantId, userId: 'erin', at: now(), actor: 'user', detail: { factorId, factorType: 'totp' } },
      { eventId: expect.stringMatching(/^ev_/), type: 'two_factor.enabled', tenantId: t.tenant.tenantId, userId: 'erin', at: now(), actor: 'user', detail: {} },
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it('starting an enrolment emits nothing: a factor is added when it is confirmed', async () => {
    const started = await t.app('POST', '/v1/users/erin/factors', { type: 'totp' });
    expect(started.status).toBe(201);
    expect(await typesOf('erin')).toEqual(['factor.added', 'two_factor.enabled']);
  });

  it('a second factor emits factor.added only: two-factor was already on', async () => {
    t.clock.advanceSeconds(60);
    const { factorId } = await enrolTotp(t, t.app, 'erin');
    const events = await eventsOf(t, 'erin');
    expect(events.map((e) => e.type)).toEqual(['factor.added', 'two_factor.enabled', 'factor.added']);
    expect(events.at(-1)).toMatchObject({ at: now(), detail: { factorId, factorType: 'totp' } });
  });
});

describe('removing a factor (with a fresh verification)', () => {
  it('emits factor.removed; two-factor stays on while another factor is active', async () => {
    const first = await enrolTotp(t, t.app, 'fay');
    const second = await enrolTotp(t, t.app, 'fay');
    const fresh = await freshAssertion(t, t.app, 'fay', first.secret);
    const removed = await t.app('DELETE', `/v1/users/fay/factors/${second.factorId}`, undefined, { headers: fresh });
    expect(removed.status).toBe(204);
    const events = await eventsOf(t, 'fay');
    expect(events.map((e) => e.type)).toEqual(['factor.added', 'two_factor.enabled', 'factor.added', 'factor.removed']);
    expect(events.at(-1)).toMatchObject({ actor: 'user', at: now(), detail: { factorId: second.factorId, factorType: 'totp' } });
  });

  it('removing the last active factor also emits two_factor.disabled', async () => {
    const { factorId, secret } = await enrolTotp(t, t.app, 'gus');
    const fresh = await freshAssertion(t, t.app, 'gus', secret);
    expect((await t.app('DELETE', `/v1/users/gus/factors/${factorId}`, undefined, { headers: fresh })).status).toBe(204);
    expect(await typesOf('gus')).toEqual(['factor.added', 'two_factor.enabled', 'factor.removed', 'two_factor.disabled']);
  });


  it('a refused removal (no fresh verification) emits nothing', async () => {
    const { factorId } = await enrolTotp(t, t.app, 'hal');
    expect((await t.app('DELETE', `/v1/users/hal/factors/${factorId}`)).status).toBe(403);
    expect(await typesOf('hal')).toEqual(['factor.added', 'two_factor.enabled']);
  });
});

describe('regenerating recovery codes', () => {
  it('emits recovery_codes.regenerated, naming who asked: the user (app key) or an admin', async () => {
    const { secret } = await enrolTotp(t, t.app, 'ida');
    const fresh = await freshAssertion(t, t.app, 'ida', secret);
    expect((await t.app('POST', '/v1/users/ida/recovery-codes', undefined, { headers: fresh })).status).toBe(201);
    expect((await t.admin('POST', '/v1/users/ida/recovery-codes')).status).toBe(201);
    const regenerated = (await eventsOf(t, 'ida')).filter((e) => e.type === 'recovery_codes.regenerated');
    expect(regenerated.map((e) => e.actor)).toEqual(['user', 'admin']);
    // the event says that it happened, never what the codes are
    // (the admin's names the API key it was made with)
    expect(regenerated.map((e) => e.detail)).toEqual([{}, { byKeyId: expect.any(String), byKeyName: 'initial admin key' }]);
  });
});

describe('disabling two-factor', () => {
  it('emits exactly one two_factor.disabled and revokes every device (one device.revoked with the count)', async () => {
    const { secret } = await enrolTotp(t, t.app, 'jo');
    await rememberDevice('jo', secret);
    await rememberDevice('jo', secret);
    expect((await t.app('GET', '/v1/users/jo/devices')).body.devices).toHaveLength(2);
    const fresh = await freshAssertion(t, t.app, 'jo', secret);

    expect((await t.app('DELETE', '/v1/users/jo/two-factor', undefined, { headers: fresh })).status).toBe(204);

    const events = await eventsOf(t, 'jo');
    const disabled = events.filter((e) => e.type === 'two_factor.disabled');
    expect(disabled).toEqual([expect.objectContaining({ tenantId: t.tenant.tenantId, userId: 'jo', actor: 'user', at: now(), detail: {} })]);
    expect(events.filter((e) => e.type === 'device.revoked')).toEqual([expect.objectContaining({ actor: 'user', detail: { count: 2 } })]);
    expect((await t.app('GET', '/v1/users/jo/devices')).body.devices).toEqual([]);
    expect((await t.app('GET', '/v1/users/jo')).body.status).toBe('not_started');

    // asked again (the assertion is still fresh): nothing left to turn off, nothing emitted
    expect((await t.app('DELETE', '/v1/users/jo/two-factor', undefined, { headers: fresh })).status).toBe(204);
    expect((await eventsOf(t, 'jo')).length).toBe(events.length);
  });

  it('by an admin: the event says so', async () => {
    await enrolTotp(t, t.app, 'kim');
    expect((await t.admin('DELETE', '/v1/users/kim/two-factor')).status).toBe(204);
    expect((await eventsOf(t, 'kim')).filter((e) => e.type === 'two_factor.disabled')).toEqual([expect.objectContaining({ actor: 'admin' })]);
  });

  it('an admin reset emits two_factor.disabled (so subscribers revoke tokens) and user.reset, and revokes every device', async () => {
    const { secret } = await enrolTotp(t, t.app, 'kit');
    await rememberDevice('kit', secret);
    expect((await t.admin('POST', '/v1/admin/users/kit/reset')).status).toBe(204);
    const events = (await eventsOf(t, 'kit')).slice(2);
    expect(events.map((e) => [e.type, e.actor, e.detail])).toEqual([
      ['device.trusted', 'user', { deviceId: expect.any(String) }],
      ['two_factor.disabled', 'admin', byAdminKey],
      ['device.revoked', 'admin', { count: 1, ...byAdminKey }],
      ['user.reset', 'admin', byAdminKey],
    ]);
    expect((await t.app('GET', '/v1/users/kit/devices')).body.devices).toEqual([]);
  });

  it('a refused disable (no fresh verification) emits nothing and keeps 2FA on', async () => {
    await enrolTotp(t, t.app, 'lee');
    expect((await t.app('DELETE', '/v1/users/lee/two-factor')).status).toBe(403);
    expect(await typesOf('lee')).toEqual(['factor.added', 'two_factor.enabled']);
  });

  it('a user who never enrolled: 204 and no event', async () => {
    expect((await t.app('PUT', '/v1/users/max', { email: 'max@example.com' })).status).toBe(200);
    expect((await t.admin('DELETE', '/v1/users/max/two-factor')).status).toBe(204);
    expect(await typesOf('max')).toEqual([]);
  });
});

describe('racing requests: one event per change of state', () => {
  // Whether a request turned two-factor on or off is decided by one conditional write on the
  // user's flag, not by what each racing request read before writing.
  it('two first factors confirmed in parallel: exactly one two_factor.enabled', async () => {
    const started = await Promise.all([0, 1].map(() => t.app('POST', '/v1/users/eve/factors', { type: 'totp' })));
    const secrets = await Promise.all(started.map(async (s) => parseOtpauthUri(await zbarimg(s.body.qrCode)).secret));
    const codes = await Promise.all(secrets.map((secret) => oathtool(secret, t.clock.nowMs())));
    const confirmed = await Promise.all(started.map((s, i) => t.app('POST', `/v1/users/eve/factors/${s.body.factorId}/verify`, { code: codes[i] })));
    expect(confirmed.map((r) => r.status)).toEqual([200, 200]);
    const types = await typesOf('eve');
    expect(types.filter((type) => type === 'factor.added')).toHaveLength(2);
    expect(types.filter((type) => type === 'two_factor.enabled')).toHaveLength(1);
  });

  it('the last factor removed while two-factor is turned off, in parallel: exactly one two_factor.disabled', async () => {
    const only = await enrolTotp(t, t.app, 'gil');
    const [forRemoval, forDisable] = [await freshAssertion(t, t.app, 'gil', only.secret), await freshAssertion(t, t.app, 'gil', only.secret)];
    const [removed, disabled] = await Promise.all([
      t.app('DELETE', `/v1/users/gil/factors/${only.factorId}`, undefined, { headers: forRemoval }),
      t.app('DELETE', '/v1/users/gil/two-factor', undefined, { headers: forDisable }),
    ]);
    // the one that commits second finds nothing left to turn off (204), or its assertion of an earlier epoch (403)
    expect(disabled?.status).toBe(204);
    expect([204, 403, 404]).toContain(removed?.status);
    expect((await t.app('GET', '/v1/users/gil')).body.status).toBe('not_started');
    expect((await typesOf('gil')).filter((type) => type === 'two_factor.disabled')).toHaveLength(1);
  });

  it('10 parallel disables of one user emit exactly one two_factor.disabled', async () => {
    const { secret } = await enrolTotp(t, t.app, 'ned');
    const fresh = await freshAssertion(t, t.app, 'ned', secret);
    const results = await Promise.all(Array.from({ length: 10 }, () => t.app('DELETE', '/v1/users/ned/two-factor', undefined, { headers: fresh })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(204));
    expect((await typesOf('ned')).filter((type) => type === 'two_factor.disabled')).toHaveLength(1);
  });
});
