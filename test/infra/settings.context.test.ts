/** The settings from the CDK context: defaults for an offline synth, JSON from `-c`, and refusals that name the field. */
import { describe, expect, it } from 'vitest';
import { eventBusNameOf, readSettings } from '../../infra/settings';

describe('settings from the cdk context', () => {
  it('default to a deployment without SMS, email or alarm email', () => {
    const settings = readSettings(undefined);
    expect(settings).toEqual({ prefix: 'twofold', issuer: 'twofold', logRetentionDays: 90, api: { throttleRatePerSecond: 100, throttleBurst: 200 } });
    expect(eventBusNameOf(settings)).toBe('twofold-security-events');
  });

  it('take a JSON string, as `-c twofold=...` passes', () => {
    const settings = readSettings('{"sms": {"senderId": "Acme"}, "email": {"fromAddress": "no-reply@acme.example", "domain": "acme.example"}}');
    expect(settings.sms).toEqual({ senderId: 'Acme', monthlySpendAlarmUsd: 10, provider: 'sns' });
    expect(settings.email).toEqual({ fromAddress: 'no-reply@acme.example', domain: 'acme.example' });
  });

  it.each([
    [{ logRetentionDays: 42 }, 'twofold.logRetentionDays'],
    [{ sms: { senderId: 'far-too-long-sender' } }, 'twofold.sms.senderId'],
    [{ sms: { originationNumber: '0612345678' } }, 'twofold.sms.originationNumber'],
    [{ email: { fromAddress: 'a@acme.example' } }, 'give exactly one of identityArn and domain'],
    [{ email: { fromAddress: 'a@acme.example', domain: 'acme.example', identityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/acme.example' } }, 'exactly one'],
    [{ alarmEmail: 'not an address' }, 'twofold.alarmEmail'],
    [{ isuer: 'typo' }, 'isuer'],
    [{ prefix: 'Has Spaces' }, 'twofold.prefix'],
  ])('refuse %j, naming what is wrong', (value, message) => {
    expect(() => readSettings(value)).toThrow(message);
  });

  it('refuse a string that is not JSON', () => {
    expect(() => readSettings('{sms: yes}')).toThrow('not valid JSON');
  });
});
