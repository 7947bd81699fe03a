/**
 * Debian's Chromium for the page tests (playwright-core, no browser download), started as this
 * machine needs it: no sandbox as root, no GPU, and none of the background connections that its
 * closed network would refuse. One browser per test file.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
