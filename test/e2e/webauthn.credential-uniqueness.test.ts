/**
 * Threat: one passkey credential id registered to two users of a tenant (security round 3,
 * low 6). A client that controls its own authenticator can send any credential id in a
 * registration response — here one Chromium's virtual authenticator made for ada, packed into a
 * well-formed `none` registration for bob (test/support/forged-registration.ts). A credential id
 * belongs to one user: the activation claims it in the same transaction, a second user's claim
 * is refused (parallel claims too), and removing, resetting or erasing gives it up.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emittedEventsOf } from '../support/events';
import { ForgedAuthenticator, forgedRegistration } from '../support/forged-registration';
import { openPasskeyWorld, type PasskeyWorld } from '../support/passkey-world';
import type { AppSite, PasskeyTab } from '../support/passkeys';
import { tally, type Twofold } from '../support/twofold';

let world: PasskeyWorld;
let t: Twofold;
let site: AppSite;
let tab: PasskeyTab;

beforeAll(async () => {
  world = await openPasskeyWorld((origin) => ({ methods: { allowed: ['totp', 'email', 'webauthn'], default: 'totp' }, webauthn: { rpId: 'localhost', origins: [origin] } }));
  ({ t, site, tab } = world);
}, 60_000);
afterAll(() => world?.close());

async function startPasskey(userId: string) {
  expect((await t.app('PUT', `/v1/users/${userId}`, { email: `${userId}@example.com` })).status).toBe(200);
  const started = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'webauthn' });
  expect(started.status, started.text).toBe(201);
  return started.body;
}

const confirm = (userId: string, factorId: string, credential: unknown) => t.app('POST', `/v1/users/${userId}/factors/${factorId}/verify`, { credential });

/** Ada's passkey made by Chromium's authenticator: its credential id, as the browser gave it. */
async function enrolInChromium(userId: string): Promise<Buffer> {
  const started = await startPasskey(userId);
  const credential = await tab.create(started.options);
  const confirmed = await confirm(userId, started.factorId, credential);
  expect(confirmed.status, confirmed.text).toBe(200);
  return Buffer.from(String(credential.id), 'base64url');
}

describe('a credential id belongs to one user of the tenant', () => {
  it('a forged registration with a fresh id is accepted (the forgery is a valid registration)', async () => {
    const started = await startPasskey('control');
    const confirmed = await confirm('control', started.factorId, forgedRegistration(started.options, site.origin, randomBytes(32)));
    expect(confirmed.status, confirmed.text).toBe(200);
  });

  it("bob cannot register ada's credential id: 422 invalid_credential, his factor stays pending, no event", async () => {
    const adaId = await enrolInChromium('ada');
    const started = await startPasskey('bob');
    const refused = await confirm('bob', started.factorId, forgedRegistration(started.options, site.origin, adaId));
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.error.code).toBe('invalid_credential');
    expect(refused.body.error.message).toMatch(/another user/);
    const bob = await t.app('GET', '/v1/users/bob/factors');
    expect(bob.body.factors).toEqual([expect.objectContaining({ factorId: started.factorId, status: 'pending' })]);
    expect((await emittedEventsOf(t, 'bob')).map((e) => e.type)).not.toContain('factor.added');
    // ada's passkey is untouched and still hers
    const ada = await t.app('GET', '/v1/users/ada/factors');
    expect(ada.body.factors).toEqual([expect.objectContaining({ type: 'webauthn', status: 'active' })]);
  });

  it('of 10 users claiming one new credential id at once, exactly one gets it', async () => {
    const id = randomBytes(32);
    const users = Array.from({ length: 10 }, (_, i) => `racer-${i}`);
    const starts = await Promise.all(users.map((u) => startPasskey(u)));
    const results = await Promise.all(users.map((u, i) => confirm(u, starts[i]!.factorId, forgedRegistration(starts[i]!.options, site.origin, id))));
    expect(tally(results)).toEqual({ 200: 1, 422: 9 });
  });

  it('removing the passkey (an admin reset), or erasing its user, gives the id up', async () => {
    const caraId = await enrolInChromium('cara');
    const dan = await startPasskey('dan');
    expect((await confirm('dan', dan.factorId, forgedRegistration(dan.options, site.origin, caraId))).status).toBe(422);
    expect((await t.admin('POST', '/v1/admin/users/cara/reset')).status).toBe(204);
    const taken = await confirm('dan', dan.factorId, forgedRegistration(dan.options, site.origin, caraId));
    expect(taken.status, taken.text).toBe(200);

    const eve = await startPasskey('eve');
    expect((await confirm('eve', eve.factorId, forgedRegistration(eve.options, site.origin, caraId))).status).toBe(422);
    expect((await t.app('DELETE', '/v1/users/dan')).status).toBe(204);
    const after = await confirm('eve', eve.factorId, forgedRegistration(eve.options, site.origin, caraId));
    expect(after.status, after.text).toBe(200);
  });

  it("a refused user's reset does not release the holder's claim", async () => {
    const started = await startPasskey('fay');
    const id = randomBytes(32);
    expect((await confirm('fay', started.factorId, forgedRegistration(started.options, site.origin, id))).status).toBe(200);
    const gus = await startPasskey('gus');
    expect((await confirm('gus', gus.factorId, forgedRegistration(gus.options, site.origin, id))).status).toBe(422);
    // gus's pending factor goes with a reset: fay's claim is not released by it
    expect((await t.admin('POST', '/v1/admin/users/gus/reset')).status).toBe(204);
    const hal = await startPasskey('hal');
    expect((await confirm('hal', hal.factorId, forgedRegistration(hal.options, site.origin, id))).status).toBe(422);
  });
});

describe('threat: a response made inside a frame of another origin (clientData.crossOrigin, security round 3, low 6)', () => {
  it('is refused at registration, and at login; the same responses with crossOrigin false are accepted', async () => {
    const authenticator = new ForgedAuthenticator(randomBytes(32));
    const started = await startPasskey('ida');
    const framed = await confirm('ida', started.factorId, authenticator.register(started.options, site.origin, { crossOrigin: true }));
    expect(framed.status, framed.text).toBe(422);
    expect(framed.body.error).toMatchObject({ code: 'invalid_credential', message: expect.stringMatching(/frame of another origin/) });
    expect((await confirm('ida', started.factorId, authenticator.register(started.options, site.origin))).status).toBe(200);

    const login = async (bend: { crossOrigin?: boolean }) => {
      const challenge = await t.app('POST', '/v1/users/ida/challenges', { method: 'webauthn' });
      expect(challenge.status, challenge.text).toBe(201);
      return t.app('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { credential: authenticator.authenticate(challenge.body.options, site.origin, bend) });
    };
    const refused = await login({ crossOrigin: true });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.error.code).toBe('invalid_credential');
    const accepted = await login({});
    expect(accepted.status, accepted.text).toBe(200);
  });
});
