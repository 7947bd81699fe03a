/**
 * The texts that carry codes, over HTTP on the local runtime, read back from the outbox (the SMS
 * outbox and the SES emulator): the built-in texts in the user's language (PUT /v1/users/{id}
 * locale, falling back to its language, then to the tenant's default), the tenant's own
 * templates with {code}, {minutes} and {appName}, the email's From display name, and templates
 * that could not carry a code, or could break a header, refused like any invalid policy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let n = 0;
beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Corp' });
});
afterAll(() => t.stop());

const MERGE = { headers: { 'content-type': 'application/merge-patch+json' } };
const base = { methods: { allowed: ['totp', 'sms', 'email'], default: 'totp' } };
beforeEach(async () => {
  expect((await t.admin('PUT', '/v1/policy', base)).status).toBe(200);
  t.clock.advanceSeconds(1);
});

/** Enrols an email (or SMS) factor for a new user with this locale; returns the message the code came in. */
async function codeSentTo(channel: 'email' | 'sms', locale?: string) {
  const userId = `u${++n}`;
  const to = channel === 'email' ? `${userId}@example.com` : `+3361234${String(5600 + n).padStart(4, '0')}`;
  if (locale !== undefined) expect((await t.app('PUT', `/v1/users/${userId}`, { locale })).status).toBe(200);
  const r = await t.app('POST', `/v1/users/${userId}/factors`, channel === 'email' ? { type: 'email', email: to } : { type: 'sms', phone: to });
  expect(r.status, r.text).toBe(201);
  const message = (await t.runtime.outbox()).filter((m) => m.to === to).at(-1)!;
  const code = /\b(\d{6})\b/.exec(message.body)![1]!;
  return { ...message, code, userId };
}

describe('built-in texts in the user language', () => {
  it('without a locale: English, naming the tenant, as before', async () => {
    const sms = await codeSentTo('sms');
    expect(sms.body).toBe(`Your Acme Corp verification code is ${sms.code}. It expires in 10 minutes. Do not share it with anyone.`);
    const mail = await codeSentTo('email');
    expect(mail.subject).toBe('Acme Corp verification code');
    expect(mail.body).toBe(`Your Acme Corp verification code is ${mail.code}. It expires in 10 minutes. Do not share it with anyone.\n\nIf you did not try to sign in, you can ignore this email.`);
  });

  it.each([
    ['fr', 'Votre code de vérification Acme Corp est', 'Code de vérification Acme Corp'],
    ['fr-CA', 'Votre code de vérification Acme Corp est', 'Code de vérification Acme Corp'],
    ['de', 'Ihr Acme Corp-Bestätigungscode lautet', 'Ihr Acme Corp-Bestätigungscode'],
    ['es', 'Tu código de verificación de Acme Corp es', 'Código de verificación de Acme Corp'],
    ['es-419', 'Tu código de verificación de Acme Corp es', 'Código de verificación de Acme Corp'],
    ['ja', 'Your Acme Corp verification code is', 'Acme Corp verification code'],
  ])('locale %s: the email and the SMS in that language (or its fallback)', async (locale, opening, subject) => {
    const mail = await codeSentTo('email', locale);
    expect(mail.subject).toBe(subject);
    expect(mail.body.startsWith(`${opening} ${mail.code}.`)).toBe(true);
    const sms = await codeSentTo('sms', locale);
    expect(sms.body.startsWith(`${opening} ${sms.code}.`)).toBe(true);
  });

  it("a user without a locale gets the tenant's default language; one with a locale keeps theirs", async () => {
    expect((await t.admin('PATCH', '/v1/policy', { messages: { defaultLocale: 'de' } }, MERGE)).status).toBe(200);
    expect((await codeSentTo('email')).subject).toBe('Ihr Acme Corp-Bestätigungscode');
    expect((await codeSentTo('email', 'es')).subject).toBe('Código de verificación de Acme Corp');
  });

  it('the locale is kept on the user (canonical form) and shown by GET; a login code uses it too', async () => {
    const mail = await codeSentTo('email', 'FR-ca');
    const user = await t.app('GET', `/v1/users/${mail.userId}`);
    expect(user.body.locale).toBe('fr-CA');
    await t.app('POST', `/v1/users/${mail.userId}/factors/${(await t.app('GET', `/v1/users/${mail.userId}/factors`)).body.factors[0].factorId}/verify`, { code: mail.code });
    t.clock.advanceSeconds(1);
    const challenge = await t.app('POST', `/v1/users/${mail.userId}/challenges`, { method: 'email' });
    expect(challenge.status, JSON.stringify(challenge.body)).toBe(201);
    const login = (await t.runtime.outbox()).filter((m) => m.to === mail.to).at(-1)!;
    expect(login.subject).toBe('Code de vérification Acme Corp');
  });

  it('a locale that is not a BCP 47 tag is refused with 400, naming the field', async () => {
    for (const locale of ['french', 'fr_FR', '', 'x'.repeat(40)]) {
      const r = await t.app('PUT', '/v1/users/bad-locale', { locale });
      expect(r.status, locale).toBe(400);
      expect(JSON.stringify(r.body.error.details)).toContain('locale');
    }
  });
});

describe("the tenant's own templates", () => {
  it('SMS: the template with {code}, {minutes} and {appName} filled in, for every language', async () => {
    const r = await t.admin('PATCH', '/v1/policy', { codeTimeoutSeconds: 300, messages: { appName: 'Acme App', sms: { template: '{appName}: {code} is your code ({minutes} min). {appName}' } } }, MERGE);
    expect(r.status, r.text).toBe(200);
    for (const locale of [undefined, 'fr']) {
      const sms = await codeSentTo('sms', locale);
      expect(sms.body).toBe(`Acme App: ${sms.code} is your code (5 min). Acme App`);
    }
  });

  it('email: subject, text and the From display name (the address stays the deployment\'s)', async () => {
    const r = await t.admin('PATCH', '/v1/policy', { messages: { email: { subject: 'Sign in to {appName}', text: 'Hello,\n\nyour code: {code}\nValid {minutes} minutes.', fromName: 'Acme Security' } } }, MERGE);
    expect(r.status, r.text).toBe(200);
    const mail = await codeSentTo('email');
    expect(mail.from).toBe('"Acme Security" <no-reply@twofold.local>');
    expect(mail.subject).toBe('Sign in to Acme Corp');
    expect(mail.body).toBe(`Hello,\n\nyour code: ${mail.code}\nValid 10 minutes.`);
  });

  it('a value that looks like a placeholder is not expanded again', async () => {
    await t.admin('PATCH', '/v1/policy', { messages: { appName: '{code}', sms: { template: '{appName} {code}' } } }, MERGE);
    const sms = await codeSentTo('sms');
    expect(sms.body).toBe(`{code} ${sms.code}`);
  });

  it('without fromName the deployment\'s From is used as configured', async () => {
    expect((await codeSentTo('email')).from).toBe('Twofold <no-reply@twofold.local>');
  });

  it.each([
    ['an SMS template without {code}', { sms: { template: 'Your code is ready' } }, 'messages.sms.template'],
    ['an email text without {code}', { email: { text: 'Hello {appName}' } }, 'messages.email.text'],
    ['an unknown placeholder (a typo)', { sms: { template: '{code} for {name}' } }, 'messages.sms.template'],
    ['an SMS template over 300 characters', { sms: { template: `{code} ${'x'.repeat(300)}` } }, 'messages.sms.template'],
    ['a From name with a line break (header injection)', { email: { fromName: 'Acme\r\nBcc: victim@example.com' } }, 'messages.email.fromName'],
    ['a From name with an address in it', { email: { fromName: 'Acme <ceo@acme.example>' } }, 'messages.email.fromName'],
    ['a default locale that is not BCP 47', { defaultLocale: 'English' }, 'messages.defaultLocale'],
    ['an unknown field', { sms: { body: '{code}' } }, 'messages.sms'],
  ])('%s: 422 invalid_policy naming %s, by PUT and by PATCH', async (_name, messages, field) => {
    for (const r of [await t.admin('PUT', '/v1/policy', { ...base, messages }), await t.admin('PATCH', '/v1/policy', { messages }, MERGE)]) {
      expect(r.status, r.text).toBe(422);
      expect(r.body.error.code).toBe('invalid_policy');
      expect(r.body.error.message).toContain(field);
    }
  });
});
