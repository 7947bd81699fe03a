/**
 * Enrol an authenticator and log in with it, end to end over HTTP, with an authenticator that
 * owes nothing to our code: the otpauth URI is read out of the QR code by zbarimg and the codes
 * are made by oathtool. Recovery codes come back once, are strong and readable, and each logs
 * in exactly once. In-process on the memory adapters (testService()); the twin project runs it on
 * the deployed artefact and DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool, parseOtpauthUri, wrongCode, zbarimg } from '../support/authenticator';
import { testService } from '../support/test-service';
import { challengeFor, nextCode, type Twofold } from '../support/twofold';

let t: Twofold;
beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Corp' });
});
afterAll(() => t?.stop());

/** Crockford's base32 alphabet: no I, L, O or U, so nothing to misread. */
const READABLE = '0123456789abcdefghjkmnpqrstvwxyz';

describe('enrol with an authenticator app, then log in', () => {
  const userId = 'alice@example.com';
  let factorId: string;
  let secret: string;
  let recoveryCodes: string[];

  it('a user nobody enrolled yet needs no second factor', async () => {
    const r = await t.app('POST', `/v1/users/${userId}/challenges`, {});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ challengeId: null, required: false, reason: 'not_enrolled', methods: [], method: null, expiresAt: null });
  });

  it('starting enrollment answers a secret, an otpauth URI and a QR code that holds that URI', async () => {
    const r = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'totp', label: 'Phone' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'totp', status: 'pending', label: 'Phone' });
    factorId = r.body.factorId;

    const scanned = await zbarimg(r.body.qrCode);
    expect(scanned).toBe(r.body.otpauthUri);
    const key = parseOtpauthUri(scanned);
    expect(key.type).toBe('totp');
    // the tenant's issuer (its name), in the label and as the issuer parameter
    expect(key.issuer).toBe('Acme Corp');
    expect(key.labelIssuer).toBe('Acme Corp');
    expect(key.account).toBe(userId);
    expect(key.secret).toBe(r.body.secret);
    // base32 without padding, at least 160 bits
    expect(key.secret).toMatch(/^[A-Z2-7]+$/);
    expect(key.secret.length * 5).toBeGreaterThanOrEqual(160);
    for (const [param, expected] of [['algorithm', 'SHA1'], ['digits', '6'], ['period', '30']] as const) {
      if (key[param] !== null) expect(key[param]).toBe(expected);
    }
    secret = key.secret;

    const user = await t.app('GET', `/v1/users/${encodeURIComponent(userId)}`);
    expect(user.body).toMatchObject({ userId, status: 'pending', recoveryCodesRemaining: 0, lockedUntil: null });
    expect(user.body.factors).toMatchObject([{ factorId, type: 'totp', status: 'pending', label: 'Phone' }]);
  });

  it('a wrong code does not confirm the factor', async () => {
    const r = await t.app('POST', `/v1/users/${userId}/factors/${factorId}/verify`, { code: await wrongCode(secret, t.clock.nowMs()) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_code');
    expect(r.body.error.attemptsRemaining).toBeTypeOf('number');
    expect((await t.app('GET', `/v1/users/${userId}`)).body.status).toBe('pending');
  });

  it("oathtool's code confirms the factor; 8 recovery codes come back, strong and readable", async () => {
    const code = await oathtool(secret, t.clock.nowMs());
    const r = await t.app('POST', `/v1/users/${userId}/factors/${factorId}/verify`, { code });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ factorId, status: 'active' });
    recoveryCodes = r.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(8);
    expect(new Set(recoveryCodes).size).toBe(8);
    for (const c of recoveryCodes) {
      // groups of four separated by dashes, from an alphabet of 32 unambiguous characters
      expect(c).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4})+$/);
      const chars = c.replace(/-/g, '');
      for (const ch of chars) expect(READABLE).toContain(ch);
      expect(chars.length * Math.log2(READABLE.length)).toBeGreaterThanOrEqual(60);
    }

    const user = await t.app('GET', `/v1/users/${userId}`);
    expect(user.body).toMatchObject({ userId, status: 'enrolled', recoveryCodesRemaining: 8, lockedUntil: null });
    expect(user.body.factors).toMatchObject([{ factorId, status: 'active' }]);
    // the secret is shown only at enrollment
    expect(user.text).not.toContain(secret);
    expect((await t.app('GET', `/v1/users/${userId}/factors`)).text).not.toContain(secret);
  });

  it('confirming an active factor again is refused', async () => {
    const r = await t.app('POST', `/v1/users/${userId}/factors/${factorId}/verify`, { code: await nextCode(t, secret) });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('factor_already_active');
  });

  it('login: a required challenge, verified with the next code, and GET shows it verified', async () => {
    const created = await t.app('POST', `/v1/users/${userId}/challenges`, {});
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ required: true, reason: 'two_factor_enabled', method: 'totp' });
    expect(created.body.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
    expect(Date.parse(created.body.expiresAt)).toBe(t.clock.nowMs() + 600_000);
    const challengeId: string = created.body.challengeId;

    const pending = await t.app('GET', `/v1/challenges/${challengeId}`);
    expect(pending.body).toMatchObject({ challengeId, userId, status: 'pending', method: 'totp', verifiedAt: null, attemptsRemaining: 5 });

    const code = await nextCode(t, secret);
    const verified = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ verified: true, challengeId, userId, method: 'totp', recoveryCodesRemaining: 8 });
    expect(verified.body.verifiedAt).toBe(new Date(t.clock.nowMs()).toISOString());

    const after = await t.app('GET', `/v1/challenges/${challengeId}`);
    expect(after.body).toMatchObject({ challengeId, userId, status: 'verified', method: 'totp', verifiedAt: verified.body.verifiedAt });
    // the factor remembers when it was last used
    const factors = await t.app('GET', `/v1/users/${userId}/factors`);
    expect(factors.body.factors[0].lastUsedAt).toBe(verified.body.verifiedAt);
  });

  it('a code typed with a space between its groups still works', async () => {
    const challengeId = await challengeFor(t.app, userId);
    const code = await nextCode(t, secret);
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(r.status).toBe(200);
  });

  it('a recovery code logs in once, and never again', async () => {
    const first = await challengeFor(t.app, userId, { method: 'recovery_code' });
    const used = await t.app('POST', `/v1/challenges/${first}/verify`, { recoveryCode: recoveryCodes[0] });
    expect(used.status).toBe(200);
    expect(used.body).toMatchObject({ verified: true, method: 'recovery_code', recoveryCodesRemaining: 7 });
    expect((await t.app('GET', `/v1/users/${userId}`)).body.recoveryCodesRemaining).toBe(7);

    const second = await challengeFor(t.app, userId);
    const again = await t.app('POST', `/v1/challenges/${second}/verify`, { recoveryCode: recoveryCodes[0] });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('invalid_code');
    // the challenge is still open for the right answer
    expect((await t.app('POST', `/v1/challenges/${second}/verify`, { recoveryCode: recoveryCodes[1] })).status).toBe(200);
  });

  it('a recovery code may be typed in capitals and without dashes', async () => {
    const challengeId = await challengeFor(t.app, userId);
    const r = await t.app('POST', `/v1/challenges/${challengeId}/verify`, { recoveryCode: recoveryCodes[2]!.replace(/-/g, '').toUpperCase() });
    expect(r.status).toBe(200);
    expect(r.body.recoveryCodesRemaining).toBe(5);
  });

  it('new recovery codes replace the old ones: every earlier code stops working', async () => {
    const regenerated = await t.admin('POST', `/v1/users/${userId}/recovery-codes`);
    expect(regenerated.status).toBe(201);
    expect(regenerated.body.recoveryCodes).toHaveLength(8);
    expect(regenerated.body.recoveryCodes).not.toContain(recoveryCodes[3]);
    expect((await t.app('GET', `/v1/users/${userId}/recovery-codes`)).body.remaining).toBe(8);

    const old = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { recoveryCode: recoveryCodes[3] });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('invalid_code');
    const fresh = await t.app('POST', `/v1/challenges/${await challengeFor(t.app, userId)}/verify`, { recoveryCode: regenerated.body.recoveryCodes[0] });
    expect(fresh.status).toBe(200);
  });

  it('turning two-factor off makes the user not_started; a login no longer needs a second factor', async () => {
    expect((await t.admin('DELETE', `/v1/users/${userId}/two-factor`)).status).toBe(204);
    const user = await t.app('GET', `/v1/users/${userId}`);
    expect(user.body).toMatchObject({ status: 'not_started', factors: [], recoveryCodesRemaining: 0 });
    const r = await t.app('POST', `/v1/users/${userId}/challenges`, {});
    expect(r.body).toMatchObject({ required: false, reason: 'not_enrolled', challengeId: null });
  });
});
