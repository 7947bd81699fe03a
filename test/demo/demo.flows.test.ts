/**
 * The demo client app as a person uses it, in Chromium: sign up, turn on two-factor by scanning
 * the page's QR code (zbarimg reads a screenshot of it, oathtool makes the codes), keep the
 * recovery codes (shown once, printable), sign in with a code, with a recovery code, remember a device, add an email
 * factor and switch to it at the login step, disable two-factor after a fresh verification, and
 * be sent to set up two-factor when the policy requires it. The demo runs in-process and talks to
 * the local runtime over HTTP; the runtime's clock is the test's.
 *
 * With DEMO_SCREENSHOTS=1 it also writes the main screens to docs/images/demo-*.png.
 */
import { releaseChromium, workerChromium } from '../support/chromium';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '@twofold/demo/server';
import { oathtool, parseOtpauthUri, wrongCode, wrongCodes, zbarimg } from '../support/authenticator';
import { enrolTotp, nextCode, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const SCREENSHOTS = process.env.DEMO_SCREENSHOTS === '1';
const PASSWORD = 'correct horse battery';

let t: Twofold;
let demo: RunningDemo;
let browser: Browser;

beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Workspace' });
  demo = await startDemo({ baseUrl: t.baseUrl, appKey: t.tenant.appKey, port: 0 });
  browser = await workerChromium();
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await demo?.stop();
  await t?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 820 }, acceptDownloads: true });
  const page = await context.newPage();
  return { context, page };
}

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: `docs/images/demo-${name}.png`, fullPage: true });
}

async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto(`${demo.url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signUp(page: Page, username: string) {
  await page.goto(`${demo.url}/sign-up`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
}

async function signedInAs(page: Page, username: string) {
  await expect.poll(() => page.getByText(`Signed in as ${username}`).isVisible()).toBe(true);
}

/** The newest code sent to `to`, as the local outbox shows it. */
async function lastCodeSentTo(to: string): Promise<string> {
  const outbox = await t.anon('GET', '/_local/outbox');
  const messages = (outbox.body.messages as { to: string; body: string }[]).filter((m) => m.to === to);
  const code = /\b(\d{6})\b/.exec(messages.at(-1)?.body ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

async function setPolicy(change: (policy: Record<string, unknown> & { enforcement: Record<string, unknown> }) => void) {
  const current = await t.admin('GET', '/v1/policy');
  const policy = current.body;
  change(policy);
  const put = await t.admin('PUT', '/v1/policy', policy);
  expect(put.status, put.text).toBe(200);
}

// what the first journey leaves for the next ones
const alice = { username: 'alice', secret: '', recoveryCodes: [] as string[] };

describe('two-factor in the demo app', () => {
  it('signs up, enables two-factor by scanning the QR code on the page (the setup key in groups of four, copied plain), and shows the recovery codes once (not on a reload) with a download and a print', async () => {
    const { context, page } = await newPage();
    await page.goto(demo.url);
    await shoot(page, 'sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await shoot(page, 'sign-up');
    await page.getByLabel('Username').fill(alice.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await signedInAs(page, 'alice');

    await shoot(page, 'overview');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Enable two-factor authentication' }).click();

    // the authenticator reads what the page shows: a screenshot of the QR image, decoded by zbarimg
    const qr = page.getByRole('img', { name: /QR code/ });
    await expect.poll(() => qr.isVisible()).toBe(true);
    const png = await qr.screenshot();
    const key = parseOtpauthUri(await zbarimg(`data:image/png;base64,${png.toString('base64')}`));
    expect(key.account).toBe('alice');
    // the manual key beside it is the same secret, as visible text in groups of four (JBSW Y3DP ...)
    const grouped = key.secret.match(/.{1,4}/g)!.join(' ');
    const shownKey = page.getByText(grouped, { exact: true });
    expect(await shownKey.isVisible()).toBe(true);
    await shoot(page, 'enable-2fa');
    // copied, by its button or by selecting it, it is the key itself
    // (the tests' TypeScript has no DOM types: page scripts as strings)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.url });
    await page.getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(key.secret);
    await page.evaluate("navigator.clipboard.writeText('')");
    await shownKey.selectText();
    await page.keyboard.press('ControlOrMeta+C');
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(key.secret);
    alice.secret = key.secret;

    // a wrong code first: refused, with the attempts left
    await page.getByLabel('Code').fill(await wrongCode(key.secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);

    await page.getByLabel('Code').fill(await oathtool(key.secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.isVisible()).toBe(true);
    const codes = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    expect(codes).toHaveLength(8);
    for (const c of codes) expect(await page.getByText(c, { exact: true }).isVisible()).toBe(true);
    // a first enrolment: there were no earlier codes to stop working
    expect(await page.getByText(/only time these codes are shown/).isVisible()).toBe(true);
    expect(await page.getByText(/earlier codes/).count()).toBe(0);
    await shoot(page, 'recovery-codes');

    // Print: the browser's print dialog, and a print stylesheet that prints the codes alone
    await page.evaluate('window.printed = 0; window.print = () => { window.printed += 1; }');
    await page.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate<number>('window.printed')).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await list.isVisible()).toBe(true);
    for (const hidden of [
      page.getByRole('navigation', { name: 'Settings' }),
      page.getByRole('button', { name: 'Sign out' }),
      page.getByRole('link', { name: 'Download' }),
      page.getByRole('button', { name: 'Print' }),
      page.getByRole('button', { name: 'Done' }),
      page.getByText(/only time these codes are shown/),
    ])
      expect(await hidden.isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download' }).click();
    const file = await readFile((await (await download).path())!, 'utf8');
    for (const c of codes) expect(file).toContain(c);
    alice.recoveryCodes = codes;

    // shown once: a reload does not show them again
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Your new recovery codes were shown once' }).isVisible()).toBe(true);
    expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
    for (const c of codes) expect(await page.getByText(c).count()).toBe(0);

    await page.getByRole('link', { name: 'Back to Security' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Two-factor authentication/ }).innerText()).toMatch(/enabled/i);
    // and not on a later visit either
    await page.goto(`${demo.url}/settings/security/recovery-codes`);
    expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
    expect((await t.app('GET', '/v1/users/alice')).body.status).toBe('enrolled');
    await context.close();
  });

  it('signs in with a recovery code, which then works no more', async () => {
    const { context, page } = await newPage();
    const code = alice.recoveryCodes[0]!;
    await signIn(page, 'alice');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await shoot(page, 'recovery-code-login');
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'alice');
    expect(await page.getByText('7 remain').isVisible()).toBe(true);
    await signOut(page);

    await signIn(page, 'alice');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);
    expect(await page.getByText('Signed in as alice').count()).toBe(0);
    await context.close();
  });

  // one sign-in serves both: the code step, then the Security page it reaches, where the email factor is added
  it('signs in with the password and then a fresh code from the authenticator app, adds an email factor confirmed with the code sent, and switches the login step to it', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'alice');
    await expect.poll(() => page.getByLabel('Code').isVisible()).toBe(true);
    // not signed in yet: the app is out of reach until the code is given
    expect(await page.getByText('Signed in as alice').count()).toBe(0);
    await page.goto(`${demo.url}/settings/security`);
    expect(page.url()).toContain('/sign-in');
    await page.goto(`${demo.url}/sign-in/verify`);
    // the default policy (prompt: every_login) asks for a code at every sign-in: nothing to remember
    expect(await page.getByRole('checkbox', { name: /Remember this device/ }).count()).toBe(0);
    await shoot(page, 'login-code');

    await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'alice');
    await page.getByRole('link', { name: 'Security' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Recovery codes' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: /Add .*email/ }).click();
    await shoot(page, 'add-method');
    await page.getByLabel('Email address').fill('alice@example.com');
    await page.getByRole('button', { name: 'Send code' }).click();
    await shoot(page, 'confirm-method');
    await page.getByLabel('Code').fill(await lastCodeSentTo('alice@example.com'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('added');
    await signOut(page);

    await signIn(page, 'alice');
    await page.getByRole('button', { name: 'Email me a code instead' }).click();
    await expect.poll(() => page.getByText('We sent a 6-digit code to').isVisible()).toBe(true);
    await page.getByLabel('Code').fill(await lastCodeSentTo('alice@example.com'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'alice');
    await context.close();
  });

  it('remembers this device: its next sign-in skips the code step until the device is revoked', async () => {
    await setPolicy((p) => (p.prompt = 'unrecognized_devices'));
    try {
      const { context, page } = await newPage();
      await signIn(page, 'alice');
      await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
      // unrecognized_devices honours a remembered device: the login step offers it, with the policy's days
      await page.getByRole('checkbox', { name: 'Remember this device for 30 days' }).check();
      await page.getByRole('button', { name: 'Verify' }).click();
      await signedInAs(page, 'alice');
      const cookies = await context.cookies();
      for (const c of cookies) expect(c.httpOnly).toBe(true);
      await signOut(page);

      await signIn(page, 'alice');
      await signedInAs(page, 'alice');
      expect(page.url()).toBe(`${demo.url}/`);

      // another browser is not this device
      const other = await newPage();
      await signIn(other.page, 'alice');
      await expect.poll(() => other.page.getByLabel('Code').isVisible()).toBe(true);
      await other.context.close();

      await page.getByRole('link', { name: 'Security' }).click();
      await shoot(page, 'security-settings');
      const revoke = page.getByRole('button', { name: /^Revoke (?!all devices$)/ });
      expect(await revoke.count()).toBe(1);
      await revoke.click();
      await expect.poll(() => page.getByText('No trusted devices.').isVisible()).toBe(true);
      await signOut(page);
      await signIn(page, 'alice');
      await expect.poll(() => page.getByLabel('Code').isVisible()).toBe(true);
      await context.close();
    } finally {
      await setPolicy((p) => (p.prompt = 'every_login'));
    }
  });

  it('locks the login step after too many wrong codes, refuses even a recovery code while locked, and lets one in after the lock (a username that is an email address)', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.url}/sign-up`);
    await page.getByLabel('Username').fill('Dana.Scully@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await signedInAs(page, 'Dana.Scully@example.com');
    const enrolment = await enrolTotp(t, t.app, 'Dana.Scully@example.com');
    await signOut(page);

    await signIn(page, 'Dana.Scully@example.com');
    const wrong = await wrongCodes(enrolment.secret, t.clock.nowMs(), 5);
    for (const [i, code] of wrong.entries()) {
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toMatch(i < 4 ? `${4 - i} attempt` : /last attempt/);
    }
    // the right code is refused while locked
    await page.getByLabel('Code').fill(await nextCode(t, enrolment.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/Too many wrong codes\. Try again in 10 minutes/);
    expect(await page.getByText('Signed in as Dana.Scully@example.com').count()).toBe(0);

    // a recovery code is held to the same lock
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(enrolment.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/Too many wrong codes/);
    expect(await page.getByText('Signed in as Dana.Scully@example.com').count()).toBe(0);

    // after the lock, the recovery code gets in
    t.clock.advanceSeconds(601);
    await signIn(page, 'Dana.Scully@example.com');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(enrolment.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'Dana.Scully@example.com');
    await context.close();
    // eleven page steps: room for a loaded machine
  }, 60_000);

  // one signed-in session walks the three acts that each ask for a fresh verification: seeing the codes, making new ones, turning two-factor off
  it('shows the recovery codes after a fresh code, regenerating them makes the old ones stop working, and disabling two-factor asks for a fresh code too, after which the password alone signs in', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'alice');
    await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'alice');
    t.clock.advanceSeconds(301); // past freshVerificationSeconds: the sign-in's verification is stale

    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'View recovery codes' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Confirm it’s you/ }).isVisible()).toBe(true);
    await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.isVisible()).toBe(true);
    const unused = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    expect(unused.sort()).toEqual(alice.recoveryCodes.slice(1).sort());
    await page.getByRole('button', { name: 'Done' }).click();

    // that verification was spent on seeing the codes: regenerating them asks for another
    await page.getByRole('button', { name: 'Regenerate recovery codes' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Confirm it’s you to make new recovery codes/ }).isVisible()).toBe(true);
    await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Save your recovery codes' }).isVisible()).toBe(true);
    // regenerated: the ones before stop working, and the page says so
    expect(await page.getByText(/Any earlier codes no longer work/).isVisible()).toBe(true);
    const fresh = (await list.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
    expect(fresh).toHaveLength(8);
    for (const c of fresh) expect(alice.recoveryCodes).not.toContain(c);
    await page.getByRole('button', { name: 'Done' }).click();
    await signOut(page);

    await signIn(page, 'alice');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(alice.recoveryCodes[1]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/didn’t work/);
    await page.getByLabel('Recovery code').fill(fresh[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, 'alice');
    alice.recoveryCodes = fresh.slice(1);

    // the sign-in's verification is no longer fresh (the policy's freshVerificationSeconds is 300)
    t.clock.advanceSeconds(301);

    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Disable two-factor authentication' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /Confirm it’s you/ }).isVisible()).toBe(true);
    await shoot(page, 'fresh-verification');
    expect((await t.app('GET', '/v1/users/alice')).body.status).toBe('enrolled');
    await page.getByLabel('Code').fill(await nextCode(t, alice.secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Two-factor authentication is off');
    expect(await page.getByRole('button', { name: 'Enable two-factor authentication' }).isVisible()).toBe(true);
    expect((await t.app('GET', '/v1/users/alice')).body.status).toBe('not_started');

    await signOut(page);
    await signIn(page, 'alice');
    await signedInAs(page, 'alice');
    await context.close();
    // thirteen page steps and three fresh verifications: room for a loaded machine
  }, 60_000);

  it('sends a new user to set up two-factor when the policy requires it: skippable in the grace period, not after', async () => {
    await setPolicy((p) => (p.enforcement = { ...p.enforcement, mode: 'all', gracePeriodDays: 7, graceEndsAt: null }));
    try {
      const { context, page } = await newPage();
      await signUp(page, 'bob');
      await expect.poll(() => page.getByRole('heading', { name: 'Set up two-factor authentication' }).isVisible()).toBe(true);
      const graceEndsAt = (await t.app('GET', '/v1/users/bob')).body.enforcement.graceEndsAt as string;
      const day = new Date(graceEndsAt).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
      expect(await page.getByText(`You have until ${day}`).isVisible()).toBe(true);
      await shoot(page, 'setup-required');
      await page.getByRole('button', { name: 'Remind me later' }).click();
      await signedInAs(page, 'bob');
      await signOut(page);

      // past the grace period: setup comes first, and nothing else is reachable
      t.clock.advanceSeconds(8 * 24 * 60 * 60);
      await signIn(page, 'bob');
      await expect.poll(() => page.getByRole('heading', { name: 'Set up two-factor authentication' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Remind me later' }).count()).toBe(0);
      await page.goto(`${demo.url}/settings/security`);
      expect(page.url()).toContain('/settings/security/required');

      await page.getByRole('button', { name: 'Enable two-factor authentication' }).click();
      const png = await page.getByRole('img', { name: /QR code/ }).screenshot();
      const key = parseOtpauthUri(await zbarimg(`data:image/png;base64,${png.toString('base64')}`));
      await page.getByLabel('Code').fill(await oathtool(key.secret, t.clock.nowMs()));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('button', { name: 'Done' }).click();
      await page.goto(demo.url);
      await signedInAs(page, 'bob');
      expect(page.url()).toBe(`${demo.url}/`);
      await context.close();
    } finally {
      await setPolicy((p) => (p.enforcement = { ...p.enforcement, mode: 'optional' }));
    }
  });

  it('tells a user who signs in with text messages that SMS is the least safe way (NIST SP 800-63B-4), and its button adds an authenticator app', async () => {
    await setPolicy((p) => ((p.methods as { allowed: string[] }).allowed = ['totp', 'sms', 'email']));
    try {
      const { context, page } = await newPage();
      await signUp(page, 'sam');
      await signedInAs(page, 'sam');
      // SMS as the only method, turned on through the API
      const phone = '+33612345661';
      const started = await t.app('POST', '/v1/users/sam/factors', { type: 'sms', phone });
      expect(started.status, started.text).toBe(201);
      expect((await t.app('POST', `/v1/users/sam/factors/${started.body.factorId}/verify`, { code: await lastCodeSentTo(phone) })).status).toBe(200);
      await signOut(page);

      await signIn(page, 'sam');
      await expect.poll(() => page.getByText(/by text message to/).isVisible()).toBe(true);
      await page.getByLabel('Code').fill(await lastCodeSentTo(phone));
      await page.getByRole('button', { name: 'Verify' }).click();
      await signedInAs(page, 'sam');
      const note = page.getByRole('note').filter({ hasText: 'Text messages are the least safe way to get codes. Add an authenticator app or a passkey.' });
      await expect.poll(() => note.isVisible()).toBe(true);
      await shoot(page, 'overview-sms');

      await note.getByRole('button', { name: 'Add an authenticator app' }).click();
      const png = await page.getByRole('img', { name: /QR code/ }).screenshot();
      const key = parseOtpauthUri(await zbarimg(`data:image/png;base64,${png.toString('base64')}`));
      await page.getByLabel('Code').fill(await oathtool(key.secret, t.clock.nowMs()));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.goto(demo.url);
      await signedInAs(page, 'sam');
      // an authenticator app now: no notice
      expect(await page.getByRole('note').count()).toBe(0);
      await context.close();
    } finally {
      await setPolicy((p) => ((p.methods as { allowed: string[] }).allowed = ['totp', 'email']));
    }
  });
});

describe('the demo app as an attacker meets it', () => {
  it('refuses a form posted without the session’s CSRF token, or with another one', async () => {
    const first = await fetch(`${demo.url}/sign-in`);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    const form = { username: 'alice', password: PASSWORD };
    for (const body of [form, { ...form, csrf: 'not-the-token' }]) {
      const response = await fetch(`${demo.url}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams(body),
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('This form has expired');
    }
    // and the session did not become signed in
    const home = await fetch(`${demo.url}/`, { headers: { cookie }, redirect: 'manual' });
    expect(home.headers.get('location')).toBe('/sign-in');
  });

  it('sends pages with a strict CSP (no inline script) and the session cookie HttpOnly and SameSite=Lax', async () => {
    const response = await fetch(`${demo.url}/sign-in`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/demo_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(await response.text()).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('shows a username with markup in it as text', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.url}/sign-in`);
    await page.getByLabel('Username').fill('<img src=x onerror=alert(1)>');
    await page.getByLabel('Password').fill('whatever123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('do not match');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByLabel('Username').inputValue()).toBe('<img src=x onerror=alert(1)>');
    await context.close();
  });
});
