/**
 * A JSON API on loopback, for the stand-ins of the SMS providers' APIs (fake-twilio.ts,
 * fake-vonage.ts): each request, its body read whole and decoded as a form, gets the status and
 * JSON body `answer` returns.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface FakeHttpRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}

export interface FakeHttp {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startFakeHttp(answer: (request: FakeHttpRequest) => { status: number; body: object }): Promise<FakeHttp> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const { status, body } = answer({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, form });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
