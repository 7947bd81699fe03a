/**
 * Security round 3, the lows by threat: header injection and bidi spoofing through the policy's
 * messages (5), a public suffix as the WebAuthn rpId (6), and a phone number that is not one on
 * PUT /v1/users (8).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
});
afterAll(() => t.stop());

const patch = (body: unknown) => t.admin('PATCH', '/v1/policy', body, { headers: { 'content-type': 'application/merge-patch+json' } });
const refusedAsBadPolicy = (r: { status: number; body: { error?: { code: string } } }) => {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(r.body.error?.code).toBeTruthy();
};

describe('threat: header injection and spoofing through the messages', () => {
  it('a line break in the app name is refused', async () => {
    refusedAsBadPolicy(await patch({ messages: { appName: 'Acme\r\nBcc: victim@example.com' } }));
  });
  it('a right-to-left override in the sender name is refused', async () => {
    refusedAsBadPolicy(await patch({ messages: { fromName: 'Acme \u202egnp.exe' } }));
  });
  it('a plain app name is still accepted', async () => {
    expect((await patch({ messages: { appName: 'Acme Workspace' } })).status).toBe(200);
  });
});

describe('threat: a passkey for a whole public suffix', () => {
  it.each(['com', 'co.uk', 'github.io'])('rpId %s is refused', async (rpId) => {
    refusedAsBadPolicy(await patch({ webauthn: { rpId } }));
  });
});

describe('threat: a phone number that is not one', () => {
  it.each(['+1234', 'call me', '+33612345678\n'])('PUT /v1/users with phone %j is 422 invalid_phone_number', async (phone) => {
    const r = await t.app('PUT', '/v1/users/phil', { phone });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_phone_number');
  });
});
