/**
 * The name a person's authenticator app shows for the key is the name the login page asks the
 * code for: with the issuer left at its default (the tenant's name), the policy's
 * `messages.appName` when one is set; a workspace's own `totp.issuer` still wins. Read back as a
 * phone would: the QR code decoded with zbarimg.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOtpauthUri, zbarimg } from '../support/authenticator';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService({ tenantName: 'Twofold Local' });
});
afterAll(() => t.stop());

const MERGE_PATCH = { headers: { 'content-type': 'application/merge-patch+json' } };

async function scannedIssuer(userId: string) {
  const r = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'totp' });
  expect(r.status, r.text).toBe(201);
  const key = parseOtpauthUri(await zbarimg(r.body.qrCode));
  // the label's issuer and the issuer parameter agree
  expect(key.labelIssuer).toBe(key.issuer);
  return key.issuer;
}

describe('the TOTP issuer', () => {
  it("is the tenant's name while no app name is set", async () => {
    expect(await scannedIssuer('alice')).toBe('Twofold Local');
  });

  it("is the policy's messages.appName once set, the issuer left at its default", async () => {
    expect((await t.admin('PATCH', '/v1/policy', { messages: { appName: 'Acme Workspace' } }, MERGE_PATCH)).status).toBe(200);
    expect(await scannedIssuer('carol')).toBe('Acme Workspace');
  });

  it('is the issuer a workspace chose, whatever its app name', async () => {
    expect((await t.admin('PATCH', '/v1/policy', { totp: { issuer: 'Acme SSO' } }, MERGE_PATCH)).status).toBe(200);
    expect(await scannedIssuer('dave')).toBe('Acme SSO');
  });
});
