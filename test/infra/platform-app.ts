/**
 * A platform team's own CDK app, as the README shows it: one stack of theirs holding both
 * constructs (no cross-stack reference at all), their alarm topic, a custom domain in their
 * zone, email through an SES identity given by ARN, other schedules and tracing on.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { TwofoldData, TwofoldService, type TwofoldServiceProps } from '../../infra/constructs';

export const platformEnv = { account: '210987654321', region: 'eu-central-1' };

export const platformEmail = {
  fromAddress: 'Platform Login <login@mail.platform.example>',
  identityArn: 'arn:aws:ses:eu-central-1:210987654321:identity/platform.example',
};

export function platformApp(overrides: Partial<TwofoldServiceProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PlatformAuth', { env: platformEnv });
  const data = new TwofoldData(stack, 'TwofoldData', { name: 'platform-2fa' });
  const topic = new Topic(stack, 'PagerTopic', { enforceSSL: true });
  const zone = HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'platform.example' });
  const service = new TwofoldService(stack, 'Twofold', {
    data,
    issuer: 'https://2fa.platform.example',
    sms: { originationNumber: '+4915112345678', monthlySpendAlarmUsd: 250 },
    email: platformEmail,
    domain: { domainName: '2fa.platform.example', certificate: Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-central-1:210987654321:certificate/abc'), hostedZone: zone },
    alarmTopic: topic,
    alarmThresholds: { apiLatencyP99Ms: 600, api5xxPercent: 0.5 },
    schedules: { eventRelay: Duration.minutes(2), graceExpiry: Duration.minutes(30) },
    api: { throttleRatePerSecond: 500, throttleBurst: 1000 },
    tracing: true,
    functionMemoryMb: 512,
    ...overrides,
  });
  return { app, stack, data, service, topic, template: () => Template.fromStack(stack) };
}
