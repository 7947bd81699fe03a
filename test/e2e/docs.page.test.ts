/**
 * The API reference at GET /docs (no key), as a developer sees it in Chromium: the page renders
 * the operations of /openapi.json by name, loads its renderer from the same origin under a strict
 * Content-Security-Policy (no inline script, scripts from 'self' only), and asks no other site
 * for anything (the machines it runs on may be offline). With DOCS_SCREENSHOTS=1 a screenshot goes to
 * docs/images/api-docs.png.
 */
import { releaseChromium, workerChromium } from '../support/chromium';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let browser: Browser;

beforeAll(async () => {
  t = await testService();
  browser = await workerChromium();
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await t?.stop();
});

describe('GET /docs', () => {
  it('is an HTML page without a key, with a CSP that allows scripts from this origin only', async () => {
    const r = await t.anon('GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(r.text).not.toMatch(/<script>|<script[^>]*>[^<]+<\/script>/);
    expect(r.text).not.toMatch(/https?:\/\//);
  });

  it('serves the renderer itself, gzipped when asked, with nothing in it that loads from another site', async () => {
    const plain = await fetch(`${t.baseUrl}/docs/redoc.standalone.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await plain.text();
    expect(script.length).toBeGreaterThan(500_000);
    expect(script).not.toContain('cdn.redoc.ly');
    // fetch asks for gzip and decodes it: the same script arrives
    const gzipped = await fetch(`${t.baseUrl}/docs/redoc.standalone.js`);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(await gzipped.text()).toBe(script);
  });

  it('renders every tag and the operations by name in Chromium, with no CSP violation and no request to another site', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const origin = new URL(t.baseUrl).origin;
    const elsewhere: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) elsewhere.push(url);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const response = await page.goto(`${t.baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { name: /^Twofold/, level: 1 }).waitFor({ timeout: 20_000 });
    expect(await page.title()).toBe('Twofold API reference');

    // the menu lists every tag; each operation has a heading of its summary (after Redoc's anchor link)
    for (const tag of ['Users', 'Factors', 'Recovery codes', 'Challenges', 'Devices', 'Policy', 'Admin', 'API keys', 'Service']) {
      await page.getByRole('menuitem', { name: tag, exact: true }).waitFor({ state: 'visible', timeout: 10_000 });
    }
    const operation = (summary: string) => page.getByRole('heading', { name: new RegExp(`${summary.replace(/[().]/g, '\\$&')}$`), level: 2 });
    for (const summary of ['Start the login step: decides whether a second factor is required', 'Answer a challenge with a code, a recovery code or a passkey (webauthn)', 'Start enrolling a factor', "Replace the tenant's policy (absent fields take their defaults; totp.issuer's is the tenant's name); applies from the next challenge"]) {
      await expect.poll(() => operation(summary).count(), { message: summary }).toBe(1);
    }
    // opening a tag in the menu shows its operations there, by method and summary
    await page.getByRole('menuitem', { name: 'Challenges', exact: true }).click();
    await page.getByRole('menuitem', { name: /Answer a challenge with a code, a recovery code or a passkey/ }).waitFor({ state: 'visible', timeout: 10_000 });
    // an operation's description is on the page
    await page.getByText("Call it after the user's password checked out", { exact: false }).waitFor({ state: 'visible', timeout: 10_000 });

    if (process.env.DOCS_SCREENSHOTS === '1') {
      mkdirSync('docs/images', { recursive: true });
      await operation('Start the login step: decides whether a second factor is required').scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'docs/images/api-docs.png' });
    }

    expect(elsewhere).toEqual([]);
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
