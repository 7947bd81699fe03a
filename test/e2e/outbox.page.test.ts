/**
 * The local outbox as a person sees it: `GET /_local/outbox` opened in Chromium shows every text
 * message and email sent, newest first, with the code readable — and a tenant name with markup in
 * it is shown as text, never run as HTML.
 */
import { releaseChromium, workerChromium } from '../support/chromium';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startOtpHarness();
  browser = await workerChromium();
}, 60_000);
afterAll(async () => {
  await releaseChromium(browser);
  await h?.stop();
});

it('shows each SMS and email sent, newest first, with its code', async () => {
  expect((await h.call('POST', '/v1/users/pia/factors', { type: 'sms', phone: '+33612345678' })).status).toBe(201);
  expect((await h.call('POST', '/v1/users/pia/factors', { type: 'email', email: 'pia@example.com' })).status).toBe(201);
  const smsCode = await h.lastCode('+33612345678');
  const emailCode = await h.lastCode('pia@example.com');

  const page = await browser.newPage();
  await page.goto(`${h.runtime.baseUrl}/_local/outbox`);
  expect(await page.title()).toBe('Twofold local outbox');
  const rows = page.locator('tbody tr');
  expect(await rows.count()).toBe(2);
  // newest first: the email was sent last
  await expect.poll(() => rows.nth(0).innerText()).toContain('pia@example.com');
  expect(await rows.nth(0).innerText()).toContain(emailCode);
  expect(await rows.nth(1).innerText()).toContain('+33612345678');
  expect(await rows.nth(1).innerText()).toContain(smsCode);
  await page.close();
});

it('shows markup in a message as text: no script runs', async () => {
  // a tenant name is part of every message; give one that tries to inject a script
  const hostile = '<img src=x onerror="window.__pwned=1">Evil Co';
  await h.runtime.deps.db.send(
    new UpdateCommand({
      TableName: h.runtime.deps.config.tables.directory,
      Key: { pk: `TENANT#${h.tenantId}`, sk: 'TENANT' },
      UpdateExpression: 'SET #name = :name',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': hostile },
    }),
  );
  h.runtime.deps.forgetTenant(h.tenantId);
  expect((await h.call('POST', '/v1/users/rex/factors', { type: 'email', email: 'rex@example.com' })).status).toBe(201);

  const page = await browser.newPage();
  await page.goto(`${h.runtime.baseUrl}/_local/outbox`);
  const newest = await page.locator('tbody tr').nth(0).innerText();
  expect(newest).toContain(hostile);
  expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
  expect(await page.locator('tbody img').count()).toBe(0);
  await page.close();
});
