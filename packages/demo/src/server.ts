/** Serves the demo app over HTTP; `npm run demo` and the tests both start it here. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { AccountStore } from './accounts';
import { createDemoApp } from './app';
import { createTwofold } from './twofold';

export interface StartDemoOptions {
  /** Twofold's base URL and an app key of the tenant */
  baseUrl: string;
  appKey: string;
  /** 0 picks a free port */
  port: number;
  host?: string;
  /** A JSON file for the accounts; in memory when omitted */
  accountsFile?: string;
}

export interface RunningDemo {
  url: string;
  stop(): Promise<void>;
}

export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const app = createDemoApp({ twofold: createTwofold({ baseUrl: options.baseUrl, appKey: options.appKey }), accounts: new AccountStore(options.accountsFile) });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
