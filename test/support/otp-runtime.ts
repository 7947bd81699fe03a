/** A local runtime for SMS/email tests: a tenant whose policy allows every method, an injected clock, helpers to read codes. */
import { stillClockQuota } from './twofold';
import { Policy } from '@twofold/contract';
import type { input } from 'zod/mini';
import type { EmailSender, SendLimits, SmsSender } from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { ManualClock } from './fakes';

// Response bodies are whatever the API answered; the tests' assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface OtpHarness {
  runtime: LocalRuntime;
  clock: ManualClock;
  tenantId: string;
  appKey: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Json; headers: Headers }>;
  /** Every message in the outbox, read over HTTP as a client would. */
  messages(): Promise<{ channel: 'sms' | 'email'; to: string; subject?: string; body: string; sentAt: string }[]>;
  /** The code in the newest message to `to`. */
  lastCode(to: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startOtpHarness(
  options: { policy?: Partial<input<typeof Policy>>; sms?: boolean; senders?: { sms?: SmsSender; email?: EmailSender }; sendLimits?: Partial<SendLimits> } = {},
): Promise<OtpHarness> {
  const clock = new ManualClock();
  const runtime = await startLocalRuntime({
    port: 0,
    clock,
    tenantQuota: stillClockQuota,
    sendLimits: options.sendLimits ?? { perUserPerHour: 1000, perDestinationPerHour: 1000 },
    ...(options.sms === false ? { sms: false } : {}), ...(options.senders ? { senders: options.senders } : {}),
  });
  const { tenantId, appKey } = await runtime.createTenant('Acme Corp');
  const policy = Policy.parse({ methods: { allowed: ['totp', 'sms', 'email'], default: 'sms' }, ...options.policy });
  await runtime.deps.tenants.putPolicy(tenantId, policy);

  const call: OtpHarness['call'] = async (method, path, body, headers = {}) => {
    const response = await fetch(runtime.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  const messages = async () => ((await (await fetch(`${runtime.baseUrl}/_local/outbox`)).json()) as { messages: Awaited<ReturnType<OtpHarness['messages']>> }).messages;
  const lastCode = async (to: string) => {
    const mine = (await messages()).filter((m) => m.to === to);
    const code = /\b(\d{6})\b/.exec(mine.at(-1)?.body ?? '')?.[1];
    if (!code) throw new Error(`no code sent to ${to}`);
    return code;
  };
  return { runtime, clock, tenantId, appKey, call, messages, lastCode, stop: () => runtime.stop() };
}
