/**
 * The local outbox: every text message (from the local SMS outbox) and every email (from the
 * aws-ses-v2-local emulator's store) that the service sent, newest last, as JSON for tests
 * and as a page for a person.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import sesModule from 'aws-ses-v2-local';
import type { LocalSmsOutbox } from '@twofold/adapters';

export interface OutboxEntry {
  channel: 'sms' | 'email';
  to: string;
  /** email: the From header, with the tenant's display name when its policy sets one */
  from?: string;
  subject?: string;
  body: string;
  sentAt: string;
}

export interface LocalEmail {
  endpoint: string;
  /**
   * The emulator keeps one store per process, whatever server it answers on: the emails in it
   * when this one started were sent by an earlier runtime of the process (one test file after
   * another in a worker), not by this one.
   */
  before: number;
  stop(): Promise<void>;
}

/** Starts the SES emulator on loopback only (it would listen on every interface by default). */
// a CommonJS module with an ES default export: under Node's interop the function sits on .default
const sesEmulator = (sesModule as unknown as { default?: typeof sesModule }).default ?? sesModule;

export async function startSesEmulator(): Promise<LocalEmail> {
  const server: Server = await sesEmulator({ host: '127.0.0.1', port: 0 });
  if (!server.listening) await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    before: (await storedEmails(endpoint)).length,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

async function storedEmails(endpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${endpoint}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

export async function readOutbox(sms: LocalSmsOutbox | undefined, email: LocalEmail): Promise<OutboxEntry[]> {
  const emails = (await storedEmails(email.endpoint)).slice(email.before);
  const entries: OutboxEntry[] = [
    ...(sms?.list() ?? []),
    ...emails.map((e) => ({
      channel: 'email' as const,
      to: e.destination.to.join(', '),
      from: e.from,
      subject: e.subject,
      body: e.body.text ?? e.body.html ?? '',
      sentAt: new Date(e.at * 1000).toISOString(),
    })),
  ];
  // a stable sort: messages of the same second keep the order each source gave them
  return entries.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function outboxPage(entries: OutboxEntry[]): string {
  const rows = [...entries]
    .reverse()
    .map(
      (m) => `<tr><td>${escapeHtml(m.sentAt)}</td><td class="${m.channel}">${m.channel}</td><td>${escapeHtml(m.to)}</td><td>${m.subject ? `<strong>${escapeHtml(m.subject)}</strong><br>` : ''}<pre>${escapeHtml(m.body)}</pre></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Twofold local outbox</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap;font-family:inherit}.sms{color:#0a7}.email{color:#06c}</style>
</head><body>
<h1>Outbox</h1>
<p>Every text message and email Twofold sent on this machine, newest first (${entries.length} in all). This page refreshes every 5 seconds.</p>
<table><thead><tr><th>Sent</th><th>Channel</th><th>To</th><th>Message</th></tr></thead><tbody>
${rows || '<tr><td colspan="4">Nothing sent yet.</td></tr>'}
</tbody></table></body></html>`;
}
