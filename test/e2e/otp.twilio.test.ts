/**
 * SMS codes through Twilio, end to end: the local runtime with the Twilio adapter as its SMS
 * sender, against a stand-in for Twilio's API on loopback. An enrolment's code arrives there in
 * the tenant's template and confirms the factor; a message Twilio refuses answers 502
 * delivery_failed and leaves no pending factor. And the configuration that chooses Twilio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSmsSender } from '@twofold/adapters';
import { buildDependencies, loadConfig } from '@twofold/runtime';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { configWithoutSms, expectRefusedEnrolment, startSmsProviderRuntime, type SmsProviderRuntime } from '../support/sms-provider-runtime';

let twilio: FakeTwilio;
let local: SmsProviderRuntime;
beforeAll(async () => {
  twilio = await startFakeTwilio();
  local = await startSmsProviderRuntime(new TwilioSmsSender({ baseUrl: twilio.baseUrl, credentials: async () => ({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006' }) }));
});
afterAll(async () => {
  await local.runtime.stop();
  await twilio.close();
});

describe('SMS through Twilio', () => {
  it("an enrolment's code goes to Twilio in the tenant's template and confirms the factor", async () => {
    const started = await local.app('POST', '/v1/users/tia/factors', { type: 'sms', phone: '+33612345678' });
    expect(started.status, started.text).toBe(201);
    expect(twilio.accepted).toEqual([{ to: '+33612345678', from: '+15005550006', body: expect.stringMatching(/^\d{6} is your Acme Corp code$/) }]);
    const code = twilio.accepted[0]!.body.slice(0, 6);
    const confirmed = await local.app('POST', `/v1/users/tia/factors/${started.body.factorId}/verify`, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('active');
  });

  it('a message Twilio refuses: 502 delivery_failed, and no pending factor is left', async () => {
    twilio.refuseNext(400, 21610);
    await expectRefusedEnrolment(local.app, 'uma', '+33612345679');
  });
});

describe('choosing Twilio in the configuration', () => {
  it('TWOFOLD_SMS_SENDER=twilio with a secret id wires the Twilio adapter (nothing is read until the first send)', () => {
    const config = loadConfig({ ...configWithoutSms, TWOFOLD_SMS_SENDER: 'twilio', TWOFOLD_TWILIO_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/twilio-AbCdEf' });
    expect(config.sms).toEqual({ kind: 'twilio', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/twilio-AbCdEf' });
    expect(buildDependencies(config).sms).toBeInstanceOf(TwilioSmsSender);
  });

  it('without the secret id the configuration fails loudly, naming it', () => {
    expect(() => loadConfig({ ...configWithoutSms, TWOFOLD_SMS_SENDER: 'twilio' })).toThrow('TWOFOLD_TWILIO_SECRET_ID is required with the twilio SMS sender');
  });
});
