/**
 * Every way a passkey response must be refused, with real responses from Chromium's virtual
 * authenticator that an attacker (or a broken client app) then alters or misuses: a tampered
 * signature, a replayed response, a wrong origin, another user's credential, a signature counter
 * that goes back (a cloned authenticator), no user verification where the policy requires it,
 * 20 parallel submissions of one response, and failures counted into the same lockout as wrong
 * codes. Enrolment refusals too: a response to another factor's options, from a wrong origin.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys, userItem } from '@twofold/adapters';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../support/api';
import { flipByte, releaseChromium, workerChromium, PasskeyTab, serveAppPage, type AppSite } from '../support/passkeys';
import { tally, startTwofold, type Twofold } from '../support/twofold';

let t: Twofold;
let site: AppSite;
/** A page the tenant's policy does not list: a phishing site on the same rpId. */
let elsewhere: AppSite;
let browser: Browser;
let tab: PasskeyTab;

const policy = (extra: Record<string, unknown> = {}) => ({
  methods: { allowed: ['totp', 'webauthn'], default: 'webauthn' },
  webauthn: { rpId: 'localhost', origins: [site.origin], ...extra },
});

beforeAll(async () => {
  [t, site, elsewhere, browser] = await Promise.all([startTwofold(), serveAppPage(), serveAppPage(), workerChromium()]);
  expect((await t.admin('PUT', '/v1/policy', policy())).status).toBe(200);
  tab = await PasskeyTab.open(browser, site.origin);
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await Promise.all([site?.close(), elsewhere?.close()]);
  await t?.stop();
});

async function enrolPasskey(on: PasskeyTab, userId: string) {
  const started = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'webauthn' });
  expect(started.status, started.text).toBe(201);
  const credential = await on.create(started.body.options);
  const confirmed = await t.app('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { credential });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { factorId: started.body.factorId as string, credentialId: credential.id as string };
}

/** A challenge for the user and the browser's answer to it (not yet sent). */
async function signedChallenge(on: PasskeyTab, userId: string, alter: (options: Json) => Json = (o) => o) {
  const challenge = await t.app('POST', `/v1/users/${userId}/challenges`, { method: 'webauthn' });
  expect(challenge.status, challenge.text).toBe(201);
  const credential = await on.get(alter(challenge.body.options));
  return { challengeId: challenge.body.challengeId as string, credential };
}

const verify = (challengeId: string, credential: Json) => t.app('POST', `/v1/challenges/${challengeId}/verify`, { credential });

function expectRefused(r: { status: number; body: Json; text: string }, message: RegExp) {
  expect(r.status, r.text).toBe(422);
  expect(r.body.error.code).toBe('invalid_credential');
  expect(r.body.error.message).toMatch(message);
}

describe('logging in', () => {
  beforeAll(async () => {
    await enrolPasskey(tab, 'alice');
  });

  it('refuses a tampered signature, counts it as a failed attempt, and the real one still works', async () => {
    const { challengeId, credential } = await signedChallenge(tab, 'alice');
    const tampered = { ...credential, response: { ...credential.response, signature: flipByte(credential.response.signature, -1) } };
    const r = await verify(challengeId, tampered);
    expectRefused(r, /signature/i);
    expect(r.body.error.attemptsRemaining).toBe(4);
    // the signed data tampered with instead (user presence flag cleared)
    const data = { ...credential, response: { ...credential.response, authenticatorData: flipByte(credential.response.authenticatorData, 32) } };
    expect((await verify(challengeId, data)).body.error.code).toBe('invalid_credential');
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body).toMatchObject({ status: 'pending', attemptsRemaining: 3 });
    const ok = await verify(challengeId, credential);
    expect(ok.status, ok.text).toBe(200);
    // a success clears the failures
    expect((await t.app('GET', '/v1/users/alice')).body.lockedUntil).toBeNull();
  });

  it('never accepts a response twice: again on its challenge (409), or on a new challenge (422)', async () => {
    const { challengeId, credential } = await signedChallenge(tab, 'alice');
    expect((await verify(challengeId, credential)).status).toBe(200);
    const again = await verify(challengeId, credential);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('challenge_already_verified');
    const fresh = await t.app('POST', '/v1/users/alice/challenges', { method: 'webauthn' });
    expectRefused(await verify(fresh.body.challengeId, credential), /another challenge/i);
  });

  it('of 20 parallel submissions of one response exactly one succeeds', async () => {
    const { challengeId, credential } = await signedChallenge(tab, 'alice');
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(challengeId, credential)));
    expect(tally(results)[200]).toBe(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(['challenge_already_verified', 'invalid_credential', 'locked']).toContain(r.body.error.code);
    expect((await t.app('GET', `/v1/challenges/${challengeId}`)).body.status).toBe('verified');
    await t.admin('POST', '/v1/admin/users/alice/unlock');
  });

  it('refuses a response made on an origin the policy does not list (a phishing page on the same rpId)', async () => {
    const options = (await t.app('POST', '/v1/users/alice/challenges', { method: 'webauthn' })).body;
    await tab.goto(elsewhere.origin);
    try {
      const phished = await tab.get(options.options);
      expectRefused(await verify(options.challengeId, phished), /origin/i);
    } finally {
      await tab.goto(site.origin);
    }
  });

  it("refuses another user's credential, even when the client app asks the browser for it", async () => {
    const bob = await PasskeyTab.open(browser, site.origin);
    const bobKey = await enrolPasskey(bob, 'bob');
    // alice's challenge, answered with bob's passkey
    const { challengeId, credential } = await signedChallenge(bob, 'alice', (o) => ({ ...o, allowCredentials: [{ id: bobKey.credentialId, type: 'public-key' }] }));
    expect(credential.id).toBe(bobKey.credentialId);
    expectRefused(await verify(challengeId, credential), /not one of the active passkeys/i);
    // and bob's own login is unaffected
    const own = await signedChallenge(bob, 'bob');
    expect((await verify(own.challengeId, own.credential)).status).toBe(200);
    await bob.close();
  });

  it('refuses a signature counter that goes back (a cloned authenticator)', async () => {
    const carol = await PasskeyTab.open(browser, site.origin);
    await enrolPasskey(carol, 'carol');
    const first = await signedChallenge(carol, 'carol');
    expect((await verify(first.challengeId, first.credential)).status).toBe(200);
    const [original] = await carol.credentials();
    expect(original!.signCount).toBeGreaterThan(1);
    // the same key in another authenticator whose counter is behind
    const clone = await PasskeyTab.open(browser, site.origin);
    await clone.cdp.send('WebAuthn.addCredential', { authenticatorId: clone.authenticatorId, credential: { ...original!, signCount: 0 } });
    const cloned = await signedChallenge(clone, 'carol');
    expect(Buffer.from(cloned.credential.response.authenticatorData, 'base64url').readUInt32BE(33)).toBeLessThanOrEqual(original!.signCount);
    expectRefused(await verify(cloned.challengeId, cloned.credential), /counter went back/i);
    // the real authenticator, ahead, still works
    const real = await signedChallenge(carol, 'carol');
    expect((await verify(real.challengeId, real.credential)).status).toBe(200);
    await Promise.all([carol.close(), clone.close()]);
  });

  it('refuses a response without user verification where the policy requires it', async () => {
    expect((await t.admin('PUT', '/v1/policy', policy({ userVerification: 'required' }))).status).toBe(200);
    try {
      const options = await t.app('POST', '/v1/users/alice/challenges', { method: 'webauthn' });
      expect(options.body.options.userVerification).toBe('required');
      // a client app that downgrades the request, with an authenticator that cannot verify the user now
      await tab.setUserVerified(false);
      const credential = await tab.get({ ...options.body.options, userVerification: 'discouraged' });
      expectRefused(await verify(options.body.challengeId, credential), /did not verify the user/i);
      await tab.setUserVerified(true);
      const verifiedUser = await signedChallenge(tab, 'alice');
      expect((await verify(verifiedUser.challengeId, verifiedUser.credential)).status).toBe(200);
    } finally {
      await tab.setUserVerified(true);
      await t.admin('PUT', '/v1/policy', policy());
    }
  });

  it('counts refusals into the same lockout as wrong codes: after the limit, 423 locked even for a good response', async () => {
    const dave = await PasskeyTab.open(browser, site.origin);
    await enrolPasskey(dave, 'dave');
    const { challengeId, credential } = await signedChallenge(dave, 'dave');
    const tampered = { ...credential, response: { ...credential.response, signature: flipByte(credential.response.signature, 10) } };
    const refusals = [];
    for (let i = 0; i < 5; i++) refusals.push(await verify(challengeId, tampered));
    expect(refusals.map((r) => r.body.error.attemptsRemaining)).toEqual([4, 3, 2, 1, 0]);
    const locked = await verify(challengeId, credential);
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    await dave.close();
  });

  it('refuses a malformed credential and a code sent to a passkey challenge', async () => {
    const { challengeId } = await signedChallenge(tab, 'alice');
    expectRefused(await verify(challengeId, {}), /credential\.toJSON/);
    expectRefused(await verify(challengeId, { id: 'x', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } }), /./);
    const code = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: '123456' });
    expect(code.body.error.code).toBe('invalid_code');
    await t.admin('POST', '/v1/admin/users/alice/unlock');
  });
});

describe("the login's one conditional write", () => {
  /** What verification writes for a checked passkey response on this challenge, moving the counter from `expected` to `next`. */
  const completion = (challengeId: string, factorId: string, expected: number, next: number) => ({
    challengeId,
    verifiedAtMs: t.clock.nowMs(),
    method: 'webauthn' as const,
    maxInvalidAttempts: 5,
    failuresGen: 0,
    webauthnCounter: { factorId, expected, next },
  });
  const counterOf = async (userId: string, factorId: string) => {
    const factor = (await t.runtime.deps.users.load(t.tenant.tenantId, userId)).factors.find((f) => f.factorId === factorId);
    if (factor?.type !== 'webauthn' || !factor.webauthn) throw new Error(`no passkey ${factorId}`);
    return factor.webauthn.signCount;
  };
  const newChallenge = async (userId: string) => (await t.app('POST', `/v1/users/${userId}/challenges`, { method: 'webauthn' })).body.challengeId as string;

  it('of two signatures checked against the same counter (on two challenges), one moves it; the other is refused and its challenge stays pending', async () => {
    const { factorId } = await enrolPasskey(tab, 'leo');
    const counter = await counterOf('leo', factorId);
    const [first, second] = [await newChallenge('leo'), await newChallenge('leo')];
    const outcomes = await Promise.all([
      t.runtime.deps.challenges.complete(t.tenant.tenantId, 'leo', completion(first, factorId, counter, counter + 1)),
      t.runtime.deps.challenges.complete(t.tenant.tenantId, 'leo', completion(second, factorId, counter, counter + 2)),
    ]);
    expect([...outcomes].sort()).toEqual(['counter_moved', 'verified']);
    const won = outcomes[0] === 'verified' ? 1 : 2;
    expect(await counterOf('leo', factorId)).toBe(counter + won);
    const lost = outcomes[0] === 'verified' ? second : first;
    expect((await t.app('GET', `/v1/challenges/${lost}`)).body.status).toBe('pending');
  });

  it('never moves a counter back or keeps it in place, whatever the caller checked', async () => {
    const { factorId } = await enrolPasskey(tab, 'mia');
    const counter = await counterOf('mia', factorId);
    expect(counter).toBeGreaterThan(0);
    const challengeId = await newChallenge('mia');
    for (const next of [counter - 1, counter]) {
      expect(await t.runtime.deps.challenges.complete(t.tenant.tenantId, 'mia', completion(challengeId, factorId, counter, next))).toBe('counter_moved');
    }
    expect(await counterOf('mia', factorId)).toBe(counter);
    expect(await t.runtime.deps.challenges.complete(t.tenant.tenantId, 'mia', completion(challengeId, factorId, counter, counter + 1))).toBe('verified');
  });
});

describe('at rest', () => {
  const factorItem = async (userId: string, factorId: string) =>
    (await t.runtime.deps.db.send(new GetCommand({ TableName: t.runtime.deps.config.tables.secrets, Key: { pk: keys.userPartition(t.tenant.tenantId, userId), sk: userItem.factor(factorId) } }))).Item!;

  it('keeps the public key, transports, backup flags and AAGUID sealed; the credential id and user handle in the clear, the counter in the login item', async () => {
    const ivan = await PasskeyTab.open(browser, site.origin);
    const { factorId, credentialId } = await enrolPasskey(ivan, 'ivan');
    const item = await factorItem('ivan', factorId);
    expect(Object.keys(item.webauthn).sort()).toEqual(['credentialId', 'sealed', 'userHandle']);
    const login = (await t.runtime.deps.db.send(new GetCommand({ TableName: t.runtime.deps.config.tables.secrets, Key: { pk: keys.userPartition(t.tenant.tenantId, 'ivan'), sk: userItem.login } }))).Item!;
    expect(login[`sign:${factorId}`]).toEqual(expect.any(Number));
    expect(item.webauthn.credentialId).toBe(credentialId);
    expect(item.webauthn.sealed).toMatch(/^v1\./);
    // the public key (derived from the authenticator's private key) appears nowhere in the item
    const [held] = await ivan.credentials();
    const jwk = createPublicKey(createPrivateKey({ key: Buffer.from(held!.privateKey, 'base64'), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
    const stored = JSON.stringify(item);
    expect(stored).not.toContain(jwk.x);
    expect(stored).not.toContain(jwk.y);
    expect(stored).not.toMatch(/aaguid|transports|internal/i);
    await ivan.close();
  });

  it('a passkey whose backup state changes signs in, and its sealed backup state follows (one transaction with the login)', async () => {
    const olga = await PasskeyTab.open(browser, site.origin, { backupEligible: true });
    const { factorId, credentialId } = await enrolPasskey(olga, 'olga');
    const before = await factorItem('olga', factorId);
    await olga.cdp.send('WebAuthn.setCredentialProperties', { authenticatorId: olga.authenticatorId, credentialId: Buffer.from(credentialId, 'base64url').toString('base64'), backupState: true });
    for (let i = 0; i < 2; i++) {
      const { challengeId, credential } = await signedChallenge(olga, 'olga');
      expect(Buffer.from(credential.response.authenticatorData, 'base64url')[32]! & 0x10).toBe(0x10);
      const r = await verify(challengeId, credential);
      expect(r.status, r.text).toBe(200);
    }
    const after = await factorItem('olga', factorId);
    expect(after.webauthn.sealed).not.toBe(before.webauthn.sealed);
    expect(after.webauthn.credentialId).toBe(credentialId);
    await olga.close();
  });

  it("a credential copied into another user's record (by someone who can write the table) does not open for them", async () => {
    const judy = await PasskeyTab.open(browser, site.origin);
    const mallory = await enrolPasskey(judy, 'judy');
    const victim = await enrolPasskey(tab, 'kate');
    // the attacker's credential record pasted into the victim's factor
    const theirs = await factorItem('judy', mallory.factorId);
    const target = await factorItem('kate', victim.factorId);
    await t.runtime.deps.db.send(new PutCommand({ TableName: t.runtime.deps.config.tables.secrets, Item: { ...target, webauthn: theirs.webauthn } }));
    const { challengeId, credential } = await signedChallenge(judy, 'kate', (o) => ({ ...o, allowCredentials: [{ id: mallory.credentialId, type: 'public-key' }] }));
    expectRefused(await verify(challengeId, credential), /another user/i);
    await judy.close();
  });
});

describe('enrolling', () => {
  it("refuses a response to another factor's creation options, and the factor stays pending", async () => {
    const erin = await PasskeyTab.open(browser, site.origin);
    const a = await t.app('POST', '/v1/users/erin/factors', { type: 'webauthn' });
    const b = await t.app('POST', '/v1/users/erin/factors', { type: 'webauthn' });
    const forA = await erin.create(a.body.options);
    expectRefused(await t.app('POST', `/v1/users/erin/factors/${b.body.factorId}/verify`, { credential: forA }), /another challenge/i);
    const factors = (await t.app('GET', '/v1/users/erin/factors')).body.factors;
    expect(factors.map((f: Json) => f.status)).toEqual(['pending', 'pending']);
    // the right factor takes it, once
    expect((await t.app('POST', `/v1/users/erin/factors/${a.body.factorId}/verify`, { credential: forA })).status).toBe(200);
    expect((await t.app('POST', `/v1/users/erin/factors/${a.body.factorId}/verify`, { credential: forA })).body.error.code).toBe('factor_already_active');
    await erin.close();
  });

  it('refuses a registration made on an origin the policy does not list', async () => {
    const fred = await PasskeyTab.open(browser, elsewhere.origin);
    const started = await t.app('POST', '/v1/users/fred/factors', { type: 'webauthn' });
    const credential = await fred.create(started.body.options);
    expectRefused(await t.app('POST', `/v1/users/fred/factors/${started.body.factorId}/verify`, { credential }), /origin/i);
    expect((await t.app('GET', '/v1/users/fred')).body.status).toBe('pending');
    await fred.close();
  });

  it('refuses a registration without user verification where the policy requires it', async () => {
    expect((await t.admin('PUT', '/v1/policy', policy({ userVerification: 'required' }))).status).toBe(200);
    try {
      // a security key without a PIN or biometric
      const gil = await PasskeyTab.open(browser, site.origin, { hasUserVerification: false, isUserVerified: false });
      const started = await t.app('POST', '/v1/users/gil/factors', { type: 'webauthn' });
      expect(started.body.options.authenticatorSelection.userVerification).toBe('required');
      // a client app that downgrades the request
      const options = { ...started.body.options, authenticatorSelection: { residentKey: 'discouraged', requireResidentKey: false, userVerification: 'discouraged' } };
      const credential = await gil.create(options);
      expectRefused(await t.app('POST', `/v1/users/gil/factors/${started.body.factorId}/verify`, { credential }), /did not verify the user/i);
      await gil.close();
    } finally {
      await t.admin('PUT', '/v1/policy', policy());
    }
  });

  it('expires creation options after their time', async () => {
    const hal = await PasskeyTab.open(browser, site.origin);
    const started = await t.app('POST', '/v1/users/hal/factors', { type: 'webauthn' });
    const credential = await hal.create(started.body.options);
    t.clock.set(Date.parse(started.body.expiresAt));
    const r = await t.app('POST', `/v1/users/hal/factors/${started.body.factorId}/verify`, { credential });
    expect(r.status).toBe(410);
    expect(r.body.error.code).toBe('enrollment_expired');
    await hal.close();
  });
});
