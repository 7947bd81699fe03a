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
  /** `prompt`: the hosted prompt instead of the demo's own two-factor screens (DEMO_MODE=prompt) */
  mode?: 'screens' | 'prompt';
}

export interface RunningDemo {
  url: string;
  stop(): Promise<void>;
}

export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  // the prompt's redirect URI needs the demo's address, known once it listens
  let handle: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: (request) => handle(request), port: options.port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const app = createDemoApp({ twofold: createTwofold({ baseUrl: options.baseUrl, appKey: options.appKey }), accounts: new AccountStore(options.accountsFile), mode: options.mode ?? 'screens', publicUrl: url, promptOrigin: new URL(options.baseUrl).origin });
  handle = (request) => app.fetch(request);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
