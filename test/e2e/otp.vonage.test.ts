/**
 * SMS codes through Vonage, end to end: the local runtime with the Vonage adapter as its SMS
 * sender, against a stand-in for Vonage's SMS API on loopback. An enrolment's code arrives there
 * in the tenant's template (type text, or unicode when GSM-7 cannot carry the template) and
 * confirms the factor; a message Vonage refuses, in its answer or by its HTTP status, answers
 * 502 delivery_failed and leaves no pending factor. And the configuration that chooses Vonage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VonageSmsSender } from '@twofold/adapters';
import { buildDependencies, loadConfig } from '@twofold/runtime';
import { startFakeVonage, type FakeVonage } from '../support/fake-vonage';
import { configWithoutSms, expectRefusedEnrolment, startSmsProviderRuntime, type SmsProviderRuntime } from '../support/sms-provider-runtime';

let vonage: FakeVonage;
let local: SmsProviderRuntime;
beforeAll(async () => {
  vonage = await startFakeVonage();
  local = await startSmsProviderRuntime(new VonageSmsSender({ baseUrl: vonage.baseUrl, credentials: async () => ({ apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, from: 'AcmeCorp' }) }));
});
afterAll(async () => {
  await local.runtime.stop();
  await vonage.close();
});

describe('SMS through Vonage', () => {
  it("an enrolment's code goes to Vonage in the tenant's template and confirms the factor", async () => {
    const started = await local.app('POST', '/v1/users/tia/factors', { type: 'sms', phone: '+33612345678' });
    expect(started.status, started.text).toBe(201);
    expect(vonage.accepted).toEqual([{ to: '33612345678', from: 'AcmeCorp', text: expect.stringMatching(/^\d{6} is your Acme Corp code$/), type: 'text' }]);
    const code = vonage.accepted[0]?.text.slice(0, 6);
    const confirmed = await local.app('POST', `/v1/users/tia/factors/${started.body.factorId}/verify`, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('active');
  });

  it('a template GSM-7 cannot carry goes as type unicode, whole', async () => {
    await local.setTemplate('Ваш код {code} ({appName})');
    const started = await local.app('POST', '/v1/users/ivan/factors', { type: 'sms', phone: '+79161234567' });
    expect(started.status, started.text).toBe(201);
    expect(vonage.accepted.at(-1)).toEqual({ to: '79161234567', from: 'AcmeCorp', text: expect.stringMatching(/^Ваш код \d{6} \(Acme Corp\)$/), type: 'unicode' });
    await local.setTemplate('{code} is your {appName} code');
  });

  it.each([
    ['a refused message (Vonage status 9, partner quota exceeded)', { vonageStatus: '9' }],
    ['an HTTP error', { httpStatus: 503 }],
  ] as const)('%s: 502 delivery_failed, and no pending factor is left', async (_, refusal) => {
    vonage.refuseNext(refusal);
    await expectRefusedEnrolment(local.app, 'uma', '+33612345679');
  });
});

describe('choosing Vonage in the configuration', () => {
  const secretId = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twofold/vonage-AbCdEf';

  it('TWOFOLD_SMS_SENDER=vonage with a secret id wires the Vonage adapter (nothing is read until the first send)', () => {
    const config = loadConfig({ ...configWithoutSms, TWOFOLD_SMS_SENDER: 'vonage', TWOFOLD_VONAGE_SECRET_ID: secretId, TWOFOLD_VONAGE_API_URL: 'https://vonage.test' });
    expect(config.sms).toEqual({ kind: 'vonage', secretId, apiUrl: 'https://vonage.test' });
    expect(buildDependencies(config).sms).toBeInstanceOf(VonageSmsSender);
  });

  it('without the secret id the configuration fails loudly, naming it', () => {
    expect(() => loadConfig({ ...configWithoutSms, TWOFOLD_SMS_SENDER: 'vonage' })).toThrow('TWOFOLD_VONAGE_SECRET_ID is required with the vonage SMS sender');
  });
});
