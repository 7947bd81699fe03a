/**
 * The fresh-verification assertion: a JWT that `jose` verifies against the JWKS with the right
 * claims, and that Twofold demands (for the same user and tenant, younger than
 * freshVerificationSeconds) before removing a factor, turning 2FA off, or showing or
 * regenerating recovery codes. Tampered, expired, other-user and other-tenant ones fail; amr
 * values (RFC 8176's, and email for an email code), aud and nonce from the challenge request, exp at the fresh window.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '@twofold/core';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';

let h: OtpHarness;
let recoveryCodes: string[];
let emailFactor: string;
let bobCodes: string[];

async function enrol(userId: string) {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  const done = await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) });
  return { factorId: started.body.factorId as string, codes: done.body.recoveryCodes as string[] };
}

async function assertionFor(userId: string, bind: { audience?: string; nonce?: string } = {}) {
  const challenge = (await h.call('POST', `/v1/users/${userId}/challenges`, { method: 'email', ...bind })).body;
  const verified = await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: await h.lastCode(`${userId}@example.com`) });
  return { assertion: verified.body.assertion as string, challengeId: challenge.challengeId as string, verifiedAt: verified.body.verifiedAt as string };
}

beforeAll(async () => {
  h = await startOtpHarness();
  ({ factorId: emailFactor, codes: recoveryCodes } = await enrol('alice'));
  ({ codes: bobCodes } = await enrol('bob'));
});
afterAll(() => h.stop());

describe('the assertion', () => {
  it('verifies with jose against /.well-known/jwks.json and carries the right claims', async () => {
    const { assertion, challengeId, verifiedAt } = await assertionFor('alice', { audience: 'billing-app', nonce: 'n-0S6_WzA2Mj' });
    const jwks = (await (await fetch(`${h.runtime.baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet & { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeUndefined();
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: jwks.keys[0]!.kid });
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), { issuer: 'twofold', currentDate: new Date(h.clock.nowMs()) });
    // amr names an email code as such (never otp or mfa: NIST SP 800-63B-4 §3.1.3); the method in Twofold's own claim
    expect(payload).toMatchObject({ sub: 'alice', tid: h.tenantId, jti: challengeId, amr: ['email'], twofold_method: 'email', auth_time: Date.parse(verifiedAt) / 1000 });
    // bound to the client app and the login attempt the challenge request named
    expect(payload).toMatchObject({ aud: 'billing-app', nonce: 'n-0S6_WzA2Mj' });
    await expect(jwtVerify(assertion, createLocalJWKSet(jwks), { issuer: 'twofold', audience: 'another-app', currentDate: new Date(h.clock.nowMs()) })).rejects.toThrow(/aud/);
    // valid for the fresh window, no longer
    expect(payload.exp).toBe((payload.auth_time as number) + 300);
    expect(typeof payload.epoch).toBe('string');
  });

  it('is signed by one key per deployment: the same kid across logins', async () => {
    const a = decodeProtectedHeader((await assertionFor('alice')).assertion).kid;
    const b = decodeProtectedHeader((await assertionFor('bob')).assertion).kid;
    expect(a).toBe(b);
  });
});

describe('acr: what the assertion claims of the verification (NIST SP 800-63B-4 §3.1.3)', () => {
  const claimsOf = (assertion: string) => JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  const patchPolicy = async (patch: unknown) => {
    const adminKey = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
    const r = await fetch(`${h.runtime.baseUrl}/v1/policy`, { method: 'PATCH', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(patch) });
    expect(r.status, await r.text()).toBe(200);
  };

  it('an email code alone claims no acr (email is not an out-of-band authenticator); a recovery code claims "mfa"', async () => {
    const email = claimsOf((await assertionFor('bob')).assertion);
    expect(email.acr).toBeUndefined();
    expect(email).toMatchObject({ amr: ['email'], twofold_method: 'email' });
    const challenge = await h.call('POST', '/v1/users/bob/challenges', { method: 'recovery_code' });
    expect(challenge.status, JSON.stringify(challenge.body)).toBe(201);
    const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { recoveryCode: bobCodes[0] });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(claimsOf(verified.body.assertion as string)).toMatchObject({ acr: 'mfa', amr: ['otp'], twofold_method: 'recovery_code' });
  });

  it('amr tells the methods apart: totp "otp", sms "sms", email "email" (never "otp" or "mfa"), a recovery code "otp"', async () => {
    const phone = '+33612345678';
    const sms = await h.call('POST', '/v1/users/carol/factors', { type: 'sms', phone });
    expect(sms.status, JSON.stringify(sms.body)).toBe(201);
    expect((await h.call('POST', `/v1/users/carol/factors/${sms.body.factorId}/verify`, { code: await h.lastCode(phone) })).status).toBe(200);
    const totp = await h.call('POST', '/v1/users/carol/factors', { type: 'totp' });
    const secret = parseOtpauthUri(await zbarimg(totp.body.qrCode)).secret;
    expect((await h.call('POST', `/v1/users/carol/factors/${totp.body.factorId}/verify`, { code: await oathtool(secret, h.clock.nowMs()) })).status).toBe(200);
    const byTotp = (await h.call('POST', '/v1/users/carol/challenges', { method: 'totp' })).body;
    h.clock.advanceSeconds(30); // the enrolment spent this step's code
    const totpVerified = await h.call('POST', `/v1/challenges/${byTotp.challengeId}/verify`, { code: await oathtool(secret, h.clock.nowMs()) });
    expect(totpVerified.status, JSON.stringify(totpVerified.body)).toBe(200);
    expect(claimsOf(totpVerified.body.assertion as string)).toMatchObject({ amr: ['otp'], acr: 'mfa', twofold_method: 'totp' });
    const bySms = (await h.call('POST', '/v1/users/carol/challenges', { method: 'sms' })).body;
    const smsVerified = await h.call('POST', `/v1/challenges/${bySms.challengeId}/verify`, { code: await h.lastCode(phone) });
    expect(smsVerified.status, JSON.stringify(smsVerified.body)).toBe(200);
    expect(claimsOf(smsVerified.body.assertion as string)).toMatchObject({ amr: ['sms'], acr: 'mfa', twofold_method: 'sms' });
    const byEmail = claimsOf((await assertionFor('bob')).assertion);
    expect(byEmail.amr).toEqual(['email']);
  });

  it('a tenant whose policy says assurance.emailCountsAsMfa gets "mfa" for an email code', async () => {
    await patchPolicy({ assurance: { emailCountsAsMfa: true } });
    // the functions' tenant cache: the policy reaches them within a minute
    h.clock.advanceSeconds(61);
    // the tenant's acr only: amr still says what the method was
    expect(claimsOf((await assertionFor('bob')).assertion)).toMatchObject({ acr: 'mfa', amr: ['email'] });
    await patchPolicy({ assurance: { emailCountsAsMfa: false } });
    h.clock.advanceSeconds(61);
    expect(claimsOf((await assertionFor('bob')).assertion).acr).toBeUndefined();
  });
});

describe('sensitive operations need a fresh verification', () => {
  const withAssertion = (assertion: string) => ({ 'twofold-assertion': assertion });

  it('without an assertion: 403 fresh_verification_required, and nothing changes', async () => {
    for (const [method, path] of [
      ['DELETE', `/v1/users/alice/factors/${emailFactor}`],
      ['DELETE', '/v1/users/alice/two-factor'],
      ['POST', '/v1/users/alice/recovery-codes'],
    ] as const) {
      const r = await h.call(method, path);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('fresh_verification_required');
    }
    expect((await h.call('GET', '/v1/users/alice')).body.status).toBe('enrolled');
  });

  it('viewing recovery codes: the count without, the remaining codes with a fresh assertion', async () => {
    expect((await h.call('GET', '/v1/users/alice/recovery-codes')).body).toEqual({ remaining: 8 });
    const { assertion } = await assertionFor('alice');
    const shown = await h.call('GET', '/v1/users/alice/recovery-codes', undefined, withAssertion(assertion));
    expect(shown.body.remaining).toBe(8);
    expect(shown.body.codes.sort()).toEqual([...recoveryCodes].sort());
  });

  it.each([
    ['tampered', async (a: string) => a.slice(0, -4) + (a.endsWith('AAAA') ? 'BBBB' : 'AAAA')],
    ['for another user', async () => (await assertionFor('bob')).assertion],
    ['not a JWT', async () => 'not-a-jwt'],
  ])('a %s assertion is refused', async (_, make) => {
    const { assertion } = await assertionFor('alice');
    const r = await h.call('POST', '/v1/users/alice/recovery-codes', undefined, withAssertion(await make(assertion)));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('fresh_verification_required');
  });

  it('an assertion of another tenant is refused', async () => {
    const other = await h.runtime.createTenant('Other');
    const r = await fetch(`${h.runtime.baseUrl}/v1/users/alice/recovery-codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.appKey}`, 'twofold-assertion': (await assertionFor('alice')).assertion },
    });
    // alice does not exist in the other tenant, and the assertion is not for that tenant
    expect(r.status).toBe(403);
  });

  it('an assertion past freshVerificationSeconds (300: its exp) is refused', async () => {
    const { assertion } = await assertionFor('alice');
    h.clock.advanceSeconds(301);
    const stale = await h.call('POST', '/v1/users/alice/recovery-codes', undefined, withAssertion(assertion));
    expect(stale.status).toBe(403);
    expect(stale.body.error.message).toMatch(/expired/);
  });

  it('with a fresh assertion each: regenerate recovery codes, remove a factor', async () => {
    const regenerated = await h.call('POST', '/v1/users/alice/recovery-codes', undefined, withAssertion((await assertionFor('alice')).assertion));
    expect(regenerated.status).toBe(201);
    expect(regenerated.body.recoveryCodes).toHaveLength(8);
    const removed = await h.call('DELETE', `/v1/users/alice/factors/${emailFactor}`, undefined, withAssertion((await assertionFor('alice')).assertion));
    expect(removed.status).toBe(204);
    expect((await h.call('GET', '/v1/users/alice')).body.status).toBe('not_started');
  });

  it('an admin key is exempt', async () => {
    const adminKey = await issueApiKey(h.runtime.deps, h.tenantId, 'admin');
    const r = await fetch(`${h.runtime.baseUrl}/v1/users/bob/recovery-codes`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
    expect(r.status).toBe(201);
  });
});
