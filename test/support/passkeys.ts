/**
 * A client app's page in real Chromium with a virtual authenticator (the DevTools protocol's
 * WebAuthn domain), for the passkey tests. The page is served by the test itself on
 * http://localhost:<port> (a secure context); it makes the two browser calls a client app makes —
 * `PublicKeyCredential.parseCreationOptionsFromJSON()` + `navigator.credentials.create()`, and
 * `parseRequestOptionsFromJSON()` + `navigator.credentials.get()` — and hands back
 * `credential.toJSON()`, which the test passes to Twofold over HTTP as the app's backend would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Json } from './api';

export { releaseChromium, workerChromium } from './chromium';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Client app</title></head>
<body><h1>Client app</h1>
<script>
  window.createPasskey = async (options) => {
    const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
    return credential.toJSON();
  };
  window.usePasskey = async (options) => {
    const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    return credential.toJSON();
  };
</script></body></html>`;

/** The client app's page, served on http://localhost:<port>. */
export interface AppSite {
  origin: string;
  close(): Promise<void>;
}

export async function serveAppPage(): Promise<AppSite> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://localhost:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface AuthenticatorOptions {
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
  /** Credentials made eligible for backup (a synced passkey's BE flag), their backup state unset. */
  backupEligible?: boolean;
}

/** A tab with its own virtual authenticator (a platform passkey: ctap2, internal, resident keys). */
export class PasskeyTab {
  private constructor(
    readonly page: Page,
    readonly cdp: CDPSession,
    readonly authenticatorId: string,
  ) {}

  static async open(browser: Browser, origin: string, options: AuthenticatorOptions = {}): Promise<PasskeyTab> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: options.hasUserVerification ?? true,
        isUserVerified: options.isUserVerified ?? true,
        automaticPresenceSimulation: true,
        ...(options.backupEligible ? { defaultBackupEligibility: true, defaultBackupState: false } : {}),
      },
    });
    return new PasskeyTab(page, cdp, authenticatorId);
  }

  /** The page at another origin (same tab, same authenticator). */
  goto(origin: string) {
    return this.page.goto(origin);
  }

  /** navigator.credentials.create() with the creation options Twofold gave: credential.toJSON(). */
  create(options: Json): Promise<Json> {
    return this.page.evaluate((o) => (globalThis as unknown as { createPasskey(o: unknown): Promise<unknown> }).createPasskey(o), options);
  }

  /** navigator.credentials.get() with the request options Twofold gave: credential.toJSON(). */
  get(options: Json): Promise<Json> {
    return this.page.evaluate((o) => (globalThis as unknown as { usePasskey(o: unknown): Promise<unknown> }).usePasskey(o), options);
  }

  async credentials() {
    const { credentials } = await this.cdp.send('WebAuthn.getCredentials', { authenticatorId: this.authenticatorId });
    return credentials;
  }

  setUserVerified(isUserVerified: boolean) {
    return this.cdp.send('WebAuthn.setUserVerified', { authenticatorId: this.authenticatorId, isUserVerified });
  }

  close() {
    return this.page.context().close();
  }
}

/** base64url bytes with one bit flipped at `index` (from the end when negative). */
export function flipByte(b64url: string, index: number): string {
  const bytes = Buffer.from(b64url, 'base64url');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString('base64url');
}
