/**
 * What the end-to-end suites of the SMS providers (otp.twilio, otp.vonage) share: the local
 * runtime with the provider's adapter as its SMS sender and a tenant that allows SMS, a refused
 * enrolment's outcome, and the configuration those suites choose the provider in.
 */
import { expect } from 'vitest';
import type { SmsSender } from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { api, type Api } from './api';

export interface SmsProviderRuntime {
  runtime: LocalRuntime;
  app: Api;
  /** Sets the tenant's SMS template. */
  setTemplate(template: string): Promise<void>;
}

export async function startSmsProviderRuntime(sms: SmsSender, template = '{code} is your {appName} code'): Promise<SmsProviderRuntime> {
  const runtime = await startLocalRuntime({ port: 0, graceTimer: false, senders: { sms } });
  const tenant = await runtime.createTenant('Acme Corp');
  const admin = api(runtime.baseUrl, tenant.adminKey);
  const setTemplate = async (text: string) => {
    const r = await admin('PATCH', '/v1/policy', { methods: { allowed: ['totp', 'sms'] }, messages: { sms: { template: text } } }, { headers: { 'content-type': 'application/merge-patch+json' } });
    expect(r.status, r.text).toBe(200);
  };
  await setTemplate(template);
  return { runtime, app: api(runtime.baseUrl, tenant.appKey), setTemplate };
}

/** An SMS enrolment the provider refuses: 502 delivery_failed, and no pending factor is left. */
export async function expectRefusedEnrolment(app: Api, userId: string, phone: string): Promise<void> {
  const r = await app('POST', `/v1/users/${userId}/factors`, { type: 'sms', phone });
  expect(r.status).toBe(502);
  expect(r.body.error.code).toBe('delivery_failed');
  const user = await app('GET', `/v1/users/${userId}`);
  expect(user.status === 404 || user.body.factors.length === 0).toBe(true);
}

/** The functions' configuration without its SMS sender (a local key vault, no AWS). */
export const configWithoutSms = { TWOFOLD_DIRECTORY_TABLE: 'd', TWOFOLD_SECRETS_TABLE: 's', TWOFOLD_ATTEMPTS_TABLE: 'a', TWOFOLD_DEVICES_TABLE: 'v', TWOFOLD_IDEMPOTENCY_TABLE: 'i', TWOFOLD_EVENTS_TABLE: 'e', TWOFOLD_PROMPTS_TABLE: 'p', TWOFOLD_KEY_VAULT: 'local', TWOFOLD_LOCAL_KEY_FILE: '/nonexistent/master.key' };
