/** The settings from the CDK context: defaults for an offline synth, JSON from `-c`, and refusals that name the field. */
import { describe, expect, it } from 'vitest';
import { eventBusNameOf, readSettings } from '../../infra/settings';
import { synthTwofold } from './synth';

describe('settings from the cdk context', () => {
  it('default to a deployment without SMS, email or alarm email', () => {
    const settings = readSettings(undefined);
    expect(settings).toEqual({ prefix: 'twofold', issuer: 'twofold', logRetentionDays: 90, api: { throttleRatePerSecond: 9500, throttleBurst: 5000 }, tenantRequestsPerSecond: 1000, tenantBurst: 2000 });
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
    [{ domain: { name: '2fa.acme.example', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x', hostedZoneId: 'Z1' } }, 'give both hostedZoneId and hostedZoneName'],
    [{ domain: { name: '2fa.acme.example', certificateArn: 'not-an-arn' } }, 'twofold.domain.certificateArn'],
    [{ schedules: { eventRelayMinutes: 1.5 } }, 'twofold.schedules.eventRelayMinutes'],
    [{ alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' }, 'twofold.alarmTopicArn'],
  ])('refuse %j, naming what is wrong', (value, message) => {
    expect(() => readSettings(value)).toThrow(message);
  });

  it('reach the construct: schedules, tracing, a custom domain, the platform alarm topic', () => {
    const { stateless, statelessTemplate } = synthTwofold({
      schedules: { eventRelayMinutes: 3, graceExpiryMinutes: 120 },
      tracing: true,
      domain: { name: '2fa.acme.example', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x', hostedZoneId: 'Z1', hostedZoneName: 'acme.example' },
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager',
    });
    expect(stateless.service.settings).toMatchObject({ schedules: { 'event-relay': '3 minutes', 'grace-expiry': '2 hours' }, tracing: true, domain: '2fa.acme.example' });
    statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: '2fa.acme.example' });
    statelessTemplate.resourceCountIs('AWS::SNS::Topic', 0);
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:pager'] });
  });

  it('a schedule out of range fails the synth, naming it', () => {
    expect(() => synthTwofold({ schedules: { eventRelayMinutes: 10 } })).toThrow('schedules.eventRelay: whole minutes from 1 to 5');
  });

  it('refuse a string that is not JSON', () => {
    expect(() => readSettings('{sms: yes}')).toThrow('not valid JSON');
  });
});
