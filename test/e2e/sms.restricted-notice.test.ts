/**
 * SMS is a restricted authenticator (NIST SP 800-63B-4): a user who turns SMS codes on and has
 * an email on file is told so by email once, in their language, with the better methods to add
 * (an authenticator app, a passkey); the notice carries no code and no phone number. A user
 * without an address gets nothing; a second confirmation of the same factor sends nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Corp' });
  expect((await t.admin('PUT', '/v1/policy', { methods: { allowed: ['totp', 'sms', 'email'], default: 'totp' } })).status).toBe(200);
});
afterAll(() => t.stop());

const mailsTo = async (to: string) => (await t.runtime.outbox()).filter((m) => m.to === to);

/** Enrols SMS for the user and confirms it with the code the SMS outbox got. */
async function turnOnSms(userId: string, phone: string) {
  const r = await t.app('POST', `/v1/users/${userId}/factors`, { type: 'sms', phone });
  expect(r.status, r.text).toBe(201);
  const sms = (await t.runtime.outbox()).filter((m) => m.to === phone).at(-1);
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
  const confirmed = await t.app('POST', `/v1/users/${userId}/factors/${r.body.factorId}/verify`, { code });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { factorId: r.body.factorId as string, code };
}

describe('the SMS-restricted notice', () => {
  it('once, in the user language, naming the better methods, with no code and no number', async () => {
    expect((await t.app('PUT', '/v1/users/sam', { email: 'sam@example.com', locale: 'fr' })).status).toBe(200);
    const phone = '+33612345601';
    const { factorId, code } = await turnOnSms('sam', phone);
    const mails = await mailsTo('sam@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Acme Corp : les SMS sont le second facteur le moins sûr');
    expect(mails[0]?.body).toContain('application d’authentification ou une clé d’accès');
    expect(mails[0]?.body).not.toContain(code);
    expect(mails[0]?.body).not.toContain(phone.slice(-4));
    // the factor is active: confirming it again is refused and sends nothing
    expect((await t.app('POST', `/v1/users/sam/factors/${factorId}/verify`, { code })).status).toBe(409);
    expect(await mailsTo('sam@example.com')).toHaveLength(1);
  });

  it('in English by default; nothing for a user without an address, nor for an email factor', async () => {
    expect((await t.app('PUT', '/v1/users/ida', { email: 'ida@example.com' })).status).toBe(200);
    await turnOnSms('ida', '+33612345602');
    expect((await mailsTo('ida@example.com')).map((m) => m.subject)).toEqual(['Acme Corp: text messages are the least secure second factor']);
    const emails = async () => (await t.runtime.outbox()).filter((m) => m.to.includes('@')).length;
    const before = await emails();
    await turnOnSms('noa', '+33612345603');
    // the SMS with the code, and no email
    expect(await mailsTo('+33612345603')).toHaveLength(1);
    expect(await emails()).toBe(before);
    // an email factor is not a restricted one: its confirmation sends only its code
    const mail = await t.app('POST', '/v1/users/eve/factors', { type: 'email', email: 'eve@example.com' });
    expect(mail.status, mail.text).toBe(201);
    const code = /\b(\d{6})\b/.exec((await mailsTo('eve@example.com')).at(-1)?.body ?? '')?.[1];
    expect((await t.app('POST', `/v1/users/eve/factors/${mail.body.factorId}/verify`, { code })).status).toBe(200);
    expect(await mailsTo('eve@example.com')).toHaveLength(1);
  });
});
