/**
 * The demo in prompt mode (DEMO_MODE=prompt) in Chromium, by accessible names: it has no
 * two-factor screens of its own. Sign up sends the user to the hosted prompt's setup (the QR code
 * read by zbarimg, codes by oathtool), the recovery codes are saved, and the user comes back
 * signed in; the next sign-in goes through the prompt's code step; a redirect whose state is not
 * the session's is refused by the demo (@twofold/client's exchangePromptCode checks it).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '@twofold/demo/server';
import { releaseChromium, workerChromium } from '../support/chromium';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';
import { nextCode, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const PASSWORD = 'correct horse battery';

let t: Twofold;
let demo: RunningDemo;
let browser: Browser;

beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Workspace' });
  demo = await startDemo({ baseUrl: t.baseUrl, appKey: t.tenant.appKey, port: 0, mode: 'prompt' });
  const policy = await t.admin('PATCH', '/v1/policy', { hostedPrompt: { redirectUris: [`${demo.url}/2fa/callback`] } });
  expect(policy.status, policy.text).toBe(200);
  browser = await workerChromium();
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await demo?.stop();
  await t?.stop();
});

async function signIn(page: Page, username: string) {
  await page.goto(`${demo.url}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const signedInAs = (page: Page, username: string) => expect.poll(() => page.getByText(`Signed in as ${username}`).isVisible()).toBe(true);

describe('the demo in prompt mode', () => {
  let secret: string;

  it('signs up, is sent to setup on the prompt, enrols from the QR code, saves the codes and comes back signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.url}/sign-up`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    // on Twofold's origin now
    const qr = page.getByRole('img', { name: 'QR code' });
    await expect.poll(() => qr.isVisible()).toBe(true);
    expect(new URL(page.url()).origin).toBe(t.baseUrl);
    secret = parseOtpauthUri(await zbarimg(String(await qr.getAttribute('src')))).secret;
    await page.getByLabel('Code').fill(await oathtool(secret, t.clock.nowMs()));
    await page.getByRole('button', { name: 'Verify' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(8);
    await page.getByRole('button', { name: 'Done' }).click();
    await signedInAs(page, 'alice');
    expect(new URL(page.url()).origin).toBe(demo.url);
    expect((await t.app('GET', '/v1/users/alice')).body.status).toBe('enrolled');
    await context.close();
  }, 90_000);

  // the attacker's browser signs in through the prompt's code step as any user does: that sign-in is the one proven here
  it('signs in through the prompt’s code step; refuses a redirect whose state is not the one its session started the prompt with (another sign-in’s code planted in this browser)', async () => {
    // the victim's browser is at the prompt, its session waiting with its own state
    const victim = await browser.newContext();
    const victimPage = await victim.newPage();
    await signIn(victimPage, 'alice');
    await expect.poll(() => victimPage.getByLabel('Code').isVisible()).toBe(true);
    // an attacker's own sign-in: its redirect (code and state) as it went by
    const attacker = await browser.newContext();
    const attackerPage = await attacker.newPage();
    let planted: string | undefined;
    attackerPage.on('request', (request) => {
      if (request.url().startsWith(`${demo.url}/2fa/callback`)) planted = request.url();
    });
    await signIn(attackerPage, 'alice');
    await attackerPage.getByLabel('Code').fill(await nextCode(t, secret));
    await attackerPage.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(attackerPage, 'alice');
    expect(new URL(attackerPage.url()).origin).toBe(demo.url);
    expect(planted).toContain('state=');
    // planted in the victim's browser: the state is not its session's, refused before any exchange
    await victimPage.goto(planted!);
    await expect.poll(() => victimPage.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await victimPage.getByText(/could not be completed/).isVisible()).toBe(true);
    expect(await victimPage.getByText('Signed in as alice').count()).toBe(0);
    await victim.close();
    await attacker.close();
  }, 60_000);
});
