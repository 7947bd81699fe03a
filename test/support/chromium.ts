/**
 * Debian's Chromium for the page tests (playwright-core, no browser download), started as this
 * machine needs it: no sandbox as root, no GPU, and none of the background connections that its
 * closed network would refuse. One browser per test worker: the files of a worker share their
 * modules (vitest's isolate: false), so the first page file of a worker launches it and the
 * next ones take it over; each file opens contexts of its own and closes them when it ends
 * (releaseChromium). Playwright kills the browser when the worker's process exits.
 */
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let launched: Promise<Browser> | undefined;

/** This worker's browser, launched on first use (again if it was closed or failed to start). */
export async function workerChromium(): Promise<Browser> {
  const current = await launched?.catch(() => undefined);
  if (current?.isConnected()) return current;
  launched = chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return launched;
}

/** Closes what a file opened in the worker's browser: all its contexts (files run one at a time in a worker). */
export async function releaseChromium(browser: Browser | undefined): Promise<void> {
  await Promise.all(browser?.contexts().map((context) => context.close()) ?? []);
}
