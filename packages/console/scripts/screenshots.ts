/**
 * `npm run console:screenshots`: the console's pages in Chromium on a seeded local runtime,
 * saved to docs/images/console-*.png (or the directory given as the first argument).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { writeConsoleAssets } from '../src/build';

const out = resolve(process.argv[2] ?? 'docs/images');
mkdirSync(out, { recursive: true });
// built before the runtime is imported: the console function reads the build when it loads
writeConsoleAssets();
const { seedConsole } = await import('../../../test/support/console-seed');
const { challengeFor, startTwofold } = await import('../../../test/support/twofold');

const t = await startTwofold({ tenantName: 'Acme Corp' });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const seeded = await seedConsole(t);
  await t.admin('PUT', '/v1/policy', { enforcement: { mode: 'roles', roles: ['admin', 'finance'] }, methods: { allowed: ['totp', 'email'], default: 'totp' } });
  await t.admin('POST', `/v1/admin/users/${seeded.pending}/reset`);
  await t.admin('POST', `/v1/users/${seeded.pending}/factors`, { type: 'totp', label: 'Work phone' });
  // someone running low on recovery codes: 6 of 8 used
  for (const recoveryCode of seeded.enrolments['alice@acme.test']!.recoveryCodes.slice(0, 6)) {
    await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'alice@acme.test')}/verify`, { recoveryCode });
  }

  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  // the 403 (an app key at sign-in) and the 422 (the refused settings) are the screenshots' own
  page.on('console', (m) => m.type() === 'error' && !/status of (403|422)/.test(m.text()) && console.error('page:', m.text()));
  // a whole page by a viewport as tall as it (a fullPage capture would leave the sticky save bar mid-page)
  const shot = async (name: string, whole = true) => {
    if (whole) await page.setViewportSize({ width: 1280, height: Math.max(860, Number(await page.evaluate('document.documentElement.scrollHeight'))) });
    await page.screenshot({ path: join(out, `console-${name}.png`) });
    await page.setViewportSize({ width: 1280, height: 860 });
  };

  await page.goto(`${t.baseUrl}/console`);
  await page.getByLabel('Admin API key').fill(t.tenant.appKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This is an app key').waitFor();
  await page.getByLabel('Admin API key').fill(t.tenant.adminKey);
  await shot('sign-in', false);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.getByText('Enrollment rate').waitFor();
  await shot('overview');

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Save' }).waitFor();
  await page.getByLabel('Allow authenticator app').uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('is not in "Allowed methods"').waitFor();
  await page.getByLabel('Allow authenticator app').check();
  await page.getByLabel('Enable two-factor authentication').scrollIntoViewIfNeeded();
  await shot('settings');

  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('table', { name: 'Users' }).waitFor();
  await shot('users');

  await page.getByRole('link', { name: seeded.locked }).first().click();
  await page.getByRole('button', { name: 'Unlock' }).waitFor();
  await page.getByRole('table', { name: `Audit trail of ${seeded.locked}` }).waitFor();
  await shot('user');
  await page.getByRole('button', { name: 'Regenerate recovery codes' }).click();
  await shot('confirm', false);
  await page.getByRole('dialog').getByRole('button', { name: 'Regenerate recovery codes' }).click();
  await page.getByRole('list', { name: 'New recovery codes' }).waitFor();
  await shot('recovery-codes', false);

  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await page.getByRole('table', { name: 'Audit trail' }).waitFor();
  await shot('audit');
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await t.stop();
}
