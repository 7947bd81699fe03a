/**
 * The hosted prompt in Chromium, by accessible names, against the local runtime: a first setup
 * from the QR code (zbarimg reads it, oathtool makes the codes) with its recovery codes, sign-ins
 * with a TOTP code, a recovery code and a passkey (a CDP virtual authenticator), a locked user
 * sent back with error=locked; and the code's exchange refused when reused (also in parallel),
 * with a wrong verifier, for another tenant, and a redirect URI the policy does not name.
 *
 * With PROMPT_SCREENSHOTS=1 it writes each page, in English and in French, to docs/images/prompt-*.png.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Api } from '../support/api';
import { oathtool, parseOtpauthUri, wrongCode, zbarimg } from '../support/authenticator';
import { releaseChromium, workerChromium, PasskeyTab, serveAppPage, type AppSite } from '../support/passkeys';
import { challengeFor, enrolTotp, nextCode, onTwin, tally, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const SCREENSHOTS = process.env.PROMPT_SCREENSHOTS === '1';
/** The app's callback, on the client app's page server (a real answer: a redirect is never left to DNS or to request interception). */
let CALLBACK: string;

let t: Twofold;
let site: AppSite;
let browser: Browser;
/** The API as the browser reaches it: on localhost, so that passkeys (rpId localhost) work on the prompt. */
let origin: string;
let app: Api;

beforeAll(async () => {
  [t, site, browser] = await Promise.all([testService({ tenantName: 'Acme Workspace' }), serveAppPage(), workerChromium()]);
  origin = t.baseUrl.replace('127.0.0.1', 'localhost');
  CALLBACK = `${site.origin}/2fa/callback`;
  app = api(origin, t.tenant.appKey);
  const policy = await t.admin('PATCH', '/v1/policy', {
    methods: { allowed: ['totp', 'email', 'webauthn'] },
    webauthn: { rpId: 'localhost', origins: [site.origin, origin] },
    hostedPrompt: { redirectUris: [CALLBACK], branding: { name: 'Acme Workspace' } },
  });
  expect(policy.status, policy.text).toBe(200);
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await site?.close();
  await t?.stop();
});

interface Started {
  url: string;
  state: string;
  verifier: string;
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function startPrompt(userId: string, extra: Record<string, unknown> = {}, call: Api = app): Promise<Started> {
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString('base64url');
  const r = await call('POST', '/v1/prompts', { userId, redirectUri: CALLBACK, state, codeChallenge: challenge, codeChallengeMethod: 'S256', purpose: 'login', ...extra });
  expect(r.status, r.text).toBe(201);
  expect(r.body.url).toBe(`${origin}/prompt/${r.body.promptId}`);
  return { url: r.body.url, state, verifier };
}

/** A browser context of its own (its own cookies), in a locale. */
async function newPage(locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale });
  return { context, page: await context.newPage() };
}

/** The parameters the prompt redirected back with. */
async function cameBack(page: Page): Promise<URLSearchParams> {
  await page.waitForURL(`${CALLBACK}**`);
  return new URL(page.url()).searchParams;
}

const exchange = (code: string | null, codeVerifier: string, call: Api = app) => call('POST', '/v1/prompts/token', { code, codeVerifier });

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/images/prompt-${name}.png`, fullPage: true });
}

/**
 * On the twin, the tests whose steps another test here already takes, and that differ only in
 * what the screens say or offer (their language, a refused redirect, the grace notice, "Not now"),
 * are left to the local run: the twin's run is for the deployed functions' routes and permissions,
 * and every page step (challenge, answer, setup, lockout, passkey, codes sent by SMS and email, the
 * signed assertion, the methods page) is still taken there.
 */
const screensOnly = onTwin;

describe('the hosted prompt', () => {
  let secret: string;
  let recoveryCodes: string[];

  it('sets up an authenticator app from the QR code, shows the recovery codes once, and comes back with a code worth the assertion', async () => {
    const started = await startPrompt('ada', { purpose: 'setup' });
    const { context, page } = await newPage();
    await page.goto(started.url);
    const qr = page.getByRole('img', { name: 'QR code' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    const uri = await zbarimg(String(await qr.getAttribute('src')));
    const key = parseOtpauthUri(uri);
    secret = key.secret;
    // the key, in groups of four, is the QR code's
    expect(await page.getByText(secret.match(/.{1,4}/g)!.join(' '), { exact: true }).isVisible()).toBe(true);
    // the page's headers: a nonce CSP, no framing
    const headers = (await page.request.get(started.url)).headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+'/);
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await shoot(page, 'setup');

    await page.getByLabel('Code').fill(await wrongCode(secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    const error = page.getByRole('alert');
    await expect.poll(() => error.innerText()).toMatch(/didn’t work/);
    // the error is tied to the field it is about
    expect(await page.getByLabel('Code').getAttribute('aria-describedby')).toContain(String(await error.getAttribute('id')));

    await page.getByLabel('Code').fill(await oathtool(secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.isVisible()).toBe(true);
    recoveryCodes = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(8);
    await shoot(page, 'codes');
    await page.getByRole('button', { name: 'Done' }).click();
    const back = await cameBack(page);
    expect(back.get('state')).toBe(started.state);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.status, token.text).toBe(200);
    expect(token.body).toMatchObject({ userId: 'ada', purpose: 'setup', verified: true, method: 'totp', reason: 'two_factor_verified' });
    const claims = decodeJwt(token.body.assertion);
    expect(claims).toMatchObject({ sub: 'ada', tid: t.tenant.tenantId, acr: 'mfa', amr: ['otp'], aud: site.origin, nonce: createHash('sha256').update(started.state).digest('base64url') });
    // the page is done: going back to it shows no form
    await page.goto(started.url);
    expect(await page.getByRole('button', { name: 'Verify' }).count()).toBe(0);
    await context.close();
    const user = await t.app('GET', '/v1/users/ada');
    expect(user.body).toMatchObject({ status: 'enrolled', recoveryCodesRemaining: 8 });
  }, 90_000);

  it('signs in with a TOTP code; the code it comes back with works once, only with its verifier, only for its tenant', async () => {
    const started = await startPrompt('ada');
    const { context, page } = await newPage();
    await page.goto(started.url);
    const code = await nextCode(t, secret);
    await page.getByLabel('Code').fill(code);
    await shoot(page, 'code');
    await page.getByRole('button', { name: 'Verify' }).click();
    const back = await cameBack(page);
    expect(back.get('state')).toBe(started.state);
    const given = back.get('code');
    // another tenant's key, a wrong verifier: refused, and the code still good after them
    const other = await t.runtime.createTenant('Other Corp');
    const otherApp = api(origin, other.appKey);
    expect((await exchange(given, started.verifier, otherApp)).body.error.code).toBe('invalid_grant');
    const wrong = await exchange(given, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_grant');
    // parallel exchanges: exactly one wins
    const all = await Promise.all(Array.from({ length: 8 }, () => exchange(given, started.verifier)));
    expect(tally(all)).toEqual({ 200: 1, 400: 7 });
    expect(all.find((r) => r.status === 200)?.body).toMatchObject({ userId: 'ada', purpose: 'login', verified: true, method: 'totp' });
    // and never again
    expect((await exchange(given, started.verifier)).status).toBe(400);
    await context.close();
  }, 90_000);

  it('signs in with a recovery code, and the same code is refused next time', async () => {
    const started = await startPrompt('ada');
    const { context, page } = await newPage();
    await page.goto(started.url);
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await shoot(page, 'recovery');
    await page.getByRole('button', { name: 'Verify' }).click();
    const back = await cameBack(page);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.body).toMatchObject({ verified: true, method: 'recovery_code', recoveryCodesRemaining: 7 });

    const again = await startPrompt('ada');
    await page.goto(again.url);
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);
    await context.close();
  }, 60_000);

  it.skipIf(screensOnly)('refuses a redirect URI the policy does not name, even one that only differs by a character', async () => {
    for (const redirectUri of ['https://evil.example.com/cb', `${CALLBACK}/`, `${CALLBACK}?x=1`, 'http://app.example.com/2fa/callback']) {
      const { challenge } = pkce();
      const r = await app('POST', '/v1/prompts', { userId: 'ada', redirectUri, state: 'state-1234', codeChallenge: challenge, codeChallengeMethod: 'S256', purpose: 'login' });
      expect(r.status, redirectUri).toBe(422);
      expect(r.body.error.code).toBe('invalid_redirect_uri');
    }
    // a policy may not name a plain-http URI outside localhost
    const bad = await t.admin('PATCH', '/v1/policy', { hostedPrompt: { redirectUris: ['http://app.example.com/cb'] } });
    expect(bad.status).toBe(422);
    // an https URI anywhere is fine, beside the localhost one
    const named = await t.admin('PATCH', '/v1/policy', { hostedPrompt: { redirectUris: [CALLBACK, 'https://app.example.com/2fa/callback'], branding: { name: 'Acme Workspace' } } });
    expect(named.status, named.text).toBe(200);
    const { challenge } = pkce();
    const https = await app('POST', '/v1/prompts', { userId: 'ada', redirectUri: 'https://app.example.com/2fa/callback', state: 'state-1234', codeChallenge: challenge, codeChallengeMethod: 'S256', purpose: 'login' });
    expect(https.status, https.text).toBe(201);
  });

  // the browser that opened the prompt finishes it: that sign-in also gives the code whose lifetime is checked
  it('does not let another browser finish a prompt opened in one; the one that opened it can, and the code it comes back with is refused past its 60 seconds', async () => {
    const started = await startPrompt('ada');
    const first = await newPage();
    await first.page.goto(started.url);
    await expect.poll(() => first.page.getByLabel('Code').isVisible()).toBe(true);
    const second = await newPage();
    const answer = await second.page.goto(started.url);
    expect(answer?.status()).toBe(404);
    expect(await second.page.getByLabel('Code').count()).toBe(0);
    await second.context.close();

    await first.page.getByLabel('Code').fill(await nextCode(t, secret));
    await first.page.getByRole('button', { name: 'Verify' }).click();
    const back = await cameBack(first.page);
    expect(back.get('state')).toBe(started.state);
    t.clock.advanceSeconds(61);
    expect((await exchange(back.get('code'), started.verifier)).body.error.code).toBe('invalid_grant');
    await first.context.close();
  }, 60_000);

  it('sends a user who gets locked out back with error=locked', async () => {
    await enrolTotp(t, t.app, 'locky');
    const started = await startPrompt('locky');
    const { context, page } = await newPage();
    await page.goto(started.url);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      if (i < 4) await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);
    }
    const back = await cameBack(page);
    expect(back.get('error')).toBe('locked');
    expect(back.get('state')).toBe(started.state);
    expect(back.get('code')).toBeNull();
    await context.close();
  }, 60_000);

  it('signs in with a passkey', async () => {
    const tab = await PasskeyTab.open(browser, site.origin);
    const enrol = await t.app('POST', '/v1/users/pia/factors', { type: 'webauthn', label: 'Laptop' });
    expect(enrol.status, enrol.text).toBe(201);
    const credential = await tab.create(enrol.body.options);
    const confirmed = await t.app('POST', `/v1/users/pia/factors/${enrol.body.factorId}/verify`, { credential });
    expect(confirmed.status, confirmed.text).toBe(200);
    const started = await startPrompt('pia');
    await tab.page.goto(started.url);
    await shoot(tab.page, 'passkey');
    await tab.page.getByRole('button', { name: 'Use a passkey' }).click();
    const back = await cameBack(tab.page);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.body).toMatchObject({ userId: 'pia', verified: true, method: 'webauthn' });
    expect(decodeJwt(token.body.assertion)).toMatchObject({ acr: 'phr', amr: ['hwk'] });
    await tab.close();
  }, 90_000);

  it.skipIf(screensOnly)('speaks the prompt’s language, or the browser’s', async () => {
    const started = await startPrompt('ada', { locale: 'fr-CA' });
    const { context, page } = await newPage('de-DE');
    await page.goto(started.url);
    await expect.poll(() => page.getByRole('button', { name: 'Vérifier' }).isVisible()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await shoot(page, 'code-fr');
    await page.getByRole('link', { name: 'Utiliser un code de récupération' }).click();
    await shoot(page, 'recovery-fr');
    // setup and the recovery codes in French too
    const setup = await startPrompt('zoe', { purpose: 'setup', locale: 'fr' });
    await page.goto(setup.url);
    const qr = page.getByRole('img', { name: 'QR code' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    await shoot(page, 'setup-fr');
    const zoe = parseOtpauthUri(await zbarimg(String(await qr.getAttribute('src'))));
    await page.getByLabel('Code').fill(await oathtool(zoe.secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Codes de récupération' }).isVisible()).toBe(true);
    await shoot(page, 'codes-fr');
    const german = await startPrompt('ada');
    await page.goto(german.url);
    await expect.poll(() => page.getByRole('button', { name: 'Bestätigen' }).isVisible()).toBe(true);
    await context.close();
  });

  it('signs in with an email code, and a new code sent with "Send a new code" replaces the old one', async () => {
    const to = 'eve@example.com';
    const lastCode = async () => {
      const mail = (await t.runtime.outbox()).filter((m) => m.to === to).at(-1);
      return /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1] ?? '';
    };
    const started = await t.app('POST', '/v1/users/eve/factors', { type: 'email', email: to });
    expect(started.status, started.text).toBe(201);
    expect((await t.app('POST', `/v1/users/eve/factors/${started.body.factorId}/verify`, { code: await lastCode() })).status).toBe(200);
    const prompt = await startPrompt('eve');
    const { context, page } = await newPage();
    await page.goto(prompt.url);
    await expect.poll(() => page.getByText(/e\*\*\*@example\.com/).isVisible()).toBe(true);
    const first = await lastCode();
    // too soon: the page says so (a resend waits RESEND_COOLDOWN_SECONDS)
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/Too many codes/);
    t.clock.advanceSeconds(31);
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await expect.poll(lastCode).not.toBe(first);
    await page.getByLabel('Code').fill(first);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);
    await page.getByLabel('Code').fill(await lastCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    const back = await cameBack(page);
    expect((await exchange(back.get('code'), prompt.verifier)).body).toMatchObject({ userId: 'eve', verified: true, method: 'email' });
    await context.close();
  }, 60_000);

  it.skipIf(screensOnly)('tells a user the policy now requires two-factor of how many days are left, and lets them go on without it until then', async () => {
    const policy = await t.admin('PATCH', '/v1/policy', { enforcement: { mode: 'all', gracePeriodDays: 7 } });
    expect(policy.status, policy.text).toBe(200);
    const { context, page } = await newPage();
    for (const [locale, name] of [['en', 'grace'], ['fr', 'grace-fr']] as const) {
      const started = await startPrompt(`gus-${locale}`, { locale });
      await page.goto(started.url);
      await expect.poll(() => page.getByRole('status').innerText()).toMatch(/7/);
      await shoot(page, name);
    }
    const started = await startPrompt('gus');
    await page.goto(started.url);
    expect(await page.getByRole('status').innerText()).toMatch(/7 days left/);
    await page.getByRole('button', { name: 'Not now' }).click();
    const back = await cameBack(page);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.body).toMatchObject({ userId: 'gus', verified: false, reason: 'not_enrolled', assertion: null });
    expect(Date.parse(token.body.graceEndsAt)).toBeGreaterThan(t.clock.nowMs());
    // and from the notice to setup: the days left are said there too
    const again = await startPrompt('gus');
    await page.goto(again.url);
    await page.getByRole('button', { name: 'Set up now' }).click();
    await expect.poll(() => page.getByRole('img', { name: 'QR code' }).isVisible()).toBe(true);
    expect(await page.getByRole('status').innerText()).toMatch(/7 days left/);
    await context.close();
  }, 60_000);

  it('manages the sign-in methods after the code step: adds an authenticator app, removes it, regenerates the recovery codes, and comes back with an assertion', async () => {
    const first = await enrolTotp(t, app, 'max');
    const started = await startPrompt('max', { purpose: 'manage' });
    const { context, page } = await newPage();
    await page.goto(started.url);
    await page.getByLabel('Code').fill(await nextCode(t, first.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    const methods = page.getByRole('list', { name: 'Your sign-in methods' });
    await expect.poll(() => methods.getByRole('listitem').count()).toBe(1);

    // another authenticator app, through the setup page, then back here (no new recovery codes: not the first factor)
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    const second = parseOtpauthUri(await zbarimg(String(await qr.getAttribute('src'))));
    await page.getByLabel('Code').fill(await nextCode(t, second.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => methods.getByRole('listitem').count()).toBe(2);

    // the new one removed: a POST form with the CSRF token
    const added = methods.getByRole('listitem').filter({ hasNot: page.locator(`input[name=factorId][value="${first.factorId}"]`) });
    await added.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => methods.getByRole('listitem').count()).toBe(1);
    const factors = await app('GET', '/v1/users/max/factors');
    expect(JSON.stringify(factors.body)).toContain(first.factorId);
    expect(JSON.stringify(factors.body).match(/"factorId"/g)).toHaveLength(1);

    // new recovery codes, shown once, then back to the methods
    await page.getByRole('button', { name: 'Regenerate recovery codes' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.isVisible()).toBe(true);
    const fresh = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    expect(fresh).toHaveLength(8);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => methods.isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Done' }).click();
    const back = await cameBack(page);
    expect(back.get('state')).toBe(started.state);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.status, token.text).toBe(200);
    expect(token.body).toMatchObject({ userId: 'max', purpose: 'manage', verified: true, method: 'totp', reason: 'two_factor_verified' });
    expect(decodeJwt(token.body.assertion)).toMatchObject({ sub: 'max', aud: site.origin });
    await context.close();

    // the old recovery codes stopped working; the new ones work
    const old = await app('POST', `/v1/challenges/${await challengeFor(app, 'max')}/verify`, { recoveryCode: first.recoveryCodes[0] });
    expect(old.status).not.toBe(200);
    const renewed = await app('POST', `/v1/challenges/${await challengeFor(app, 'max')}/verify`, { recoveryCode: fresh[0] });
    expect(renewed.status, renewed.text).toBe(200);
  }, 90_000);
});

describe('the hosted prompt for a user who signs in with text messages (SMS, restricted by NIST SP 800-63B-4)', () => {
  const phones: Record<string, string> = { sol: '+33612345651', sid: '+33612345652', sue: '+33612345653' };
  const lastSms = async (phone: string) => /\b(\d{6})\b/.exec((await t.runtime.outbox()).filter((m) => m.to === phone).at(-1)?.body ?? '')?.[1] ?? '';
  const smsNote = (page: Page) => page.getByRole('note').filter({ hasText: 'Text messages are the least safe way to get codes. Add an authenticator app or a passkey.' });

  /** A user whose only method is SMS, turned on (and confirmed) through the API. */
  async function smsOnly(userId: string): Promise<string> {
    const phone = phones[userId] ?? '';
    const started = await app('POST', `/v1/users/${userId}/factors`, { type: 'sms', phone });
    expect(started.status, started.text).toBe(201);
    expect((await app('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await lastSms(phone) })).status).toBe(200);
    return phone;
  }

  beforeAll(async () => {
    const policy = await t.admin('PATCH', '/v1/policy', { methods: { allowed: ['totp', 'sms', 'email', 'webauthn'] } });
    expect(policy.status, policy.text).toBe(200);
  });
  afterAll(async () => {
    await t.admin('PATCH', '/v1/policy', { methods: { allowed: ['totp', 'email', 'webauthn'] } });
  });

  it('says so at the code step, and "Verify, then add an authenticator app" goes on to set one up before coming back with the SMS answer', async () => {
    const phone = await smsOnly('sol');
    const started = await startPrompt('sol');
    const { context, page } = await newPage();
    await page.goto(started.url);
    await expect.poll(() => smsNote(page).isVisible()).toBe(true);
    await shoot(page, 'sms-notice');
    t.clock.advanceSeconds(1);
    await page.getByLabel('Code').fill(await lastSms(phone));
    await smsNote(page).getByRole('button', { name: 'Verify, then add an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Not now, continue to Acme Workspace' }).isVisible()).toBe(true);
    const key = parseOtpauthUri(await zbarimg(String(await qr.getAttribute('src'))));
    await page.getByLabel('Code').fill(await oathtool(key.secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    // the first factor with recovery codes: they are shown once, then back to the app
    const codes = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(async () => (await codes.isVisible()) || page.url().startsWith(CALLBACK)).toBe(true);
    if (await codes.isVisible()) await page.getByRole('button', { name: 'Done' }).click();
    const back = await cameBack(page);
    const token = await exchange(back.get('code'), started.verifier);
    expect(token.body).toMatchObject({ userId: 'sol', verified: true, method: 'sms', reason: 'two_factor_verified' });
    const factors = (await app('GET', '/v1/users/sol/factors')).body.factors as { type: string; status: string }[];
    expect(factors.filter((f) => f.status === 'active').map((f) => f.type).sort()).toEqual(['sms', 'totp']);

    // with an authenticator app now, a code by text message is not followed by the notice
    const again = await startPrompt('sol');
    await page.goto(again.url);
    await page.getByRole('button', { name: 'Text me a code instead' }).click();
    await expect.poll(() => page.getByText(/We sent a 6-digit code by text message/).isVisible()).toBe(true);
    expect(await page.getByRole('note').count()).toBe(0);
    await context.close();
  }, 90_000);

  it.skipIf(screensOnly)('lets the user skip adding one ("Not now"): back with the SMS answer, nothing added', async () => {
    const phone = await smsOnly('sid');
    const started = await startPrompt('sid');
    const { context, page } = await newPage();
    await page.goto(started.url);
    await page.getByLabel('Code').fill(await lastSms(phone));
    await page.getByRole('button', { name: 'Verify, then add an authenticator app' }).click();
    await page.getByRole('button', { name: 'Not now, continue to Acme Workspace' }).click();
    const back = await cameBack(page);
    expect((await exchange(back.get('code'), started.verifier)).body).toMatchObject({ userId: 'sid', verified: true, method: 'sms' });
    const factors = (await app('GET', '/v1/users/sid/factors')).body.factors as { type: string; status: string }[];
    expect(factors.filter((f) => f.status === 'active').map((f) => f.type)).toEqual(['sms']);
    await context.close();
  }, 60_000);

  it.skipIf(screensOnly)('in a manage prompt, in French: the code step says the next page adds one, and the methods page says it beside the SMS method', async () => {
    const phone = await smsOnly('sue');
    const started = await startPrompt('sue', { purpose: 'manage', locale: 'fr' });
    const { context, page } = await newPage('fr-FR');
    await page.goto(started.url);
    const note = page.getByRole('note');
    await expect.poll(() => note.innerText()).toBe('Les SMS sont le moyen le moins sûr de recevoir des codes. Ajoutez une application d’authentification ou une clé d’accès. Vous pourrez en ajouter une à la page suivante.');
    // no button that the manage prompt's next page does not already offer
    expect(await note.getByRole('button').count()).toBe(0);
    await page.getByLabel('Code').fill(await lastSms(phone));
    await page.getByRole('button', { name: 'Vérifier', exact: true }).click();
    const methods = page.getByRole('list', { name: 'Vos méthodes de connexion' });
    await expect.poll(() => methods.getByRole('listitem').count()).toBe(1);
    expect(await methods.getByRole('listitem').getByRole('note').innerText()).toContain('Les SMS sont le moyen le moins sûr');
    await shoot(page, 'manage-sms-fr');
    expect(await page.getByRole('button', { name: 'Ajouter une application d’authentification' }).isVisible()).toBe(true);
    await context.close();
  }, 60_000);
});
