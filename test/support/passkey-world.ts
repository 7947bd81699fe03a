/**
 * What a passkey suite starts with: Twofold, a tenant whose policy allows passkeys for the
 * client app's page, that page served on http://localhost:<port>, and Chromium with one tab
 * holding a virtual authenticator.
 */
import { expect } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Json } from './api';
import { releaseChromium, workerChromium, PasskeyTab, serveAppPage, type AppSite } from './passkeys';
import { startTwofold, type Twofold } from './twofold';

export interface PasskeyWorld {
  t: Twofold;
  site: AppSite;
  browser: Browser;
  tab: PasskeyTab;
  close(): Promise<void>;
}

export async function openPasskeyWorld(policy: (origin: string) => Json): Promise<PasskeyWorld> {
  const [t, site, browser] = await Promise.all([startTwofold(), serveAppPage(), workerChromium()]);
  const put = await t.admin('PUT', '/v1/policy', policy(site.origin));
  expect(put.status, put.text).toBe(200);
  const tab = await PasskeyTab.open(browser, site.origin);
  return {
    t,
    site,
    browser,
    tab,
    close: async () => {
      await releaseChromium(browser);
      await site.close();
      await t.stop();
    },
  };
}
