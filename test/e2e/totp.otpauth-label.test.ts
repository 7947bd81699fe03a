/**
 * The otpauth label is `issuer:account` (Key Uri Format), and the first literal colon separates
 * the two: an issuer or an account name with a ':' of its own ("Acme: Corp", userId "corp:alice")
 * must not shift that separator, or an authenticator app files the key under the wrong issuer and
 * account. Read back as a person's phone would: the QR code decoded with zbarimg, then parsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
});
afterAll(() => t.stop());

const enrol = async (userId: string) => {
  const r = await t.app('POST', `/v1/users/${encodeURIComponent(userId)}/factors`, { type: 'totp' });
  expect(r.status, r.text).toBe(201);
  const scanned = await zbarimg(r.body.qrCode);
  expect(scanned).toBe(r.body.otpauthUri);
  return { body: r.body, scanned };
};

describe('otpauth labels with colons', () => {
  it.each([
    ['an issuer with a colon', 'Acme: Corp', 'alice'],
    ['an account name with a colon', 'Acme', 'corp:bob'],
    ['both, and other reserved characters', 'R&D: Lab/2 ?#', 'team:carol+1@x'],
  ])('%s: the label has one literal colon, and each side decodes to what it was', async (_, issuer, userId) => {
    expect((await t.admin('PUT', '/v1/policy', { totp: { issuer } })).status).toBe(200);
    const { body, scanned } = await enrol(userId);
    const rawLabel = new URL(scanned).pathname.slice(1);
    expect(rawLabel.split(':')).toHaveLength(2);
    const key = parseOtpauthUri(scanned);
    expect(key).toMatchObject({ type: 'totp', labelIssuer: issuer, account: userId, issuer, secret: body.secret });
    // and the key works: the authenticator's code confirms the factor
    const confirmed = await t.app('POST', `/v1/users/${encodeURIComponent(userId)}/factors/${body.factorId}/verify`, { code: await oathtool(key.secret, t.clock.nowMs()) });
    expect(confirmed.status).toBe(200);
  });

  it('an ordinary label is unchanged: Issuer:account, the defaults left out', async () => {
    expect((await t.admin('PUT', '/v1/policy', { totp: { issuer: 'Acme Corp' } })).status).toBe(200);
    const { body } = await enrol('dave');
    expect(body.otpauthUri).toBe(`otpauth://totp/Acme%20Corp:dave?secret=${body.secret}&issuer=Acme%20Corp`);
  });
});
