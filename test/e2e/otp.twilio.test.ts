/**
 * SMS codes through Twilio, end to end: the local runtime with the Twilio adapter as its SMS
 * sender, against a stand-in for Twilio's API on loopback. An enrolment's code arrives there in
 * the tenant's template and confirms the factor; a message Twilio refuses answers 502
 * delivery_failed and leaves no pending factor. And the configuration that chooses Twilio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSmsSender } from '@twofold/adapters';
import { buildDependencies, loadConfig } from '@twofold/runtime';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { api, type Api } from '../support/api';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';

let twilio: FakeTwilio;
let runtime: LocalRuntime;
let app: Api;
let admin: Api;
beforeAll(async () => {
  twilio = await startFakeTwilio();
  const sms = new TwilioSmsSender({ baseUrl: twilio.baseUrl, credentials: async () => ({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006' }) });
  runtime = await startLocalRuntime({ port: 0, graceTimer: false, senders: { sms } });
  const tenant = await runtime.createTenant('Acme Corp');
  app = api(runtime.baseUrl, tenant.appKey);
  admin = api(runtime.baseUrl, tenant.adminKey);
  const r = await admin('PATCH', '/v1/policy', { methods: { allowed: ['totp', 'sms'] }, messages: { sms: { template: '{code} is your {appName} code' } } }, { headers: { 'content-type': 'application/merge-patch+json' } });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await runtime.stop();
  await twilio.close();
});

describe('SMS through Twilio', () => {
  it("an enrolment's code goes to Twilio in the tenant's template and confirms the factor", async () => {
    const started = await app('POST', '/v1/users/tia/factors', { type: 'sms', phone: '+33612345678' });
    expect(started.status, started.text).toBe(201);
    expect(twilio.accepted).toEqual([{ to: '+33612345678', from: '+15005550006', body: expect.stringMatching(/^\d{6} is your Acme Corp code$/) }]);
    const code = twilio.accepted[0]!.body.slice(0, 6);
    const confirmed = await app('POST', `/v1/users/tia/factors/${started.body.factorId}/verify`, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('active');
  });

  it('a message Twilio refuses: 502 delivery_failed, and no pending factor is left', async () => {
    twilio.refuseNext(400, 21610);
    const r = await app('POST', '/v1/users/uma/factors', { type: 'sms', phone: '+33612345679' });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('delivery_failed');
    const user = await app('GET', '/v1/users/uma');
    expect(user.status === 404 || user.body.factors.length === 0).toBe(true);
  });
});

describe('choosing Twilio in the configuration', () => {
  const env = { TWOFOLD_DIRECTORY_TABLE: 'd', TWOFOLD_SECRETS_TABLE: 's', TWOFOLD_ATTEMPTS_TABLE: 'a', TWOFOLD_DEVICES_TABLE: 'v', TWOFOLD_IDEMPOTENCY_TABLE: 'i', TWOFOLD_EVENTS_TABLE: 'e', TWOFOLD_KEY_VAULT: 'local', TWOFOLD_LOCAL_KEY_FILE: 'in-memory' };

  it('TWOFOLD_SMS_SENDER=twilio with a secret id wires the Twilio adapter (nothing is read until the first send)', () => {
    const config = loadConfig({ ...env, TWOFOLD_SMS_SENDER: 'twilio', TWOFOLD_TWILIO_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/twilio-AbCdEf' });
    expect(config.sms).toEqual({ kind: 'twilio', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/twilio-AbCdEf' });
    expect(buildDependencies(config).sms).toBeInstanceOf(TwilioSmsSender);
  });

  it('without the secret id the configuration fails loudly, naming it', () => {
    expect(() => loadConfig({ ...env, TWOFOLD_SMS_SENDER: 'twilio' })).toThrow('TWOFOLD_TWILIO_SECRET_ID is required with the twilio SMS sender');
  });
});
