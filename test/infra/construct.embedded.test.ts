/**
 * TwofoldService and TwofoldData in a platform team's own app, with other props than the
 * repo's app: one stack with both, the data in another stack of the app, the data of another
 * app. What synth says it will do, and the props it refuses before making anything.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tables } from '@twofold/adapters/tables';
import { TwofoldData, TwofoldService, describeSettings } from '../../infra/constructs';
import { platformApp, platformEmail } from './platform-app';
import { resourcesOf, synthTwofold } from './synth';

const appParameters = (template: Template) =>
  Object.values((template.toJSON().Parameters ?? {}) as Record<string, { Type: string; Default: string }>)
    .filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value') && !p.Default.startsWith('/cdk-bootstrap/'))
    .map((p) => p.Default);

describe('both constructs in one stack of the platform team, with their own props', () => {
  const { stack, service, topic, template: templateOf } = platformApp();
  const template = templateOf();
  const fnEnv = (name: keyof typeof service.functions) =>
    (template.toJSON().Resources[stack.getLogicalId(service.functions[name].node.defaultChild as never)].Properties.Environment.Variables ?? {}) as Record<string, unknown>;

  it('reference the tables directly: no SSM parameter read, no export', () => {
    expect(appParameters(template)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
    expect(fnEnv('verify').TWOFOLD_DIRECTORY_TABLE).toEqual({ Ref: expect.stringMatching(/^TwofoldDataTablesdirectory/) });
  });

  it('serve the API on the custom domain, with alias records in the zone', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: '2fa.platform.example' });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '2fa.platform.example.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '2fa.platform.example.', Type: 'AAAA' });
    expect(service.url).toBe('https://2fa.platform.example/');
  });

  it("send every alarm to the team's topic, and make no topic of their own", () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = stack.getLogicalId(topic.node.defaultChild as never);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    for (const [, alarm] of alarms) expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'SMSMonthToDateSpentUSD', Threshold: 250 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 600 });
  });

  it('run the jobs on their schedules, trace, throttle and name the metrics as told', () => {
    const rates = resourcesOf(template, 'AWS::Events::Rule').map(([, r]) => r.Properties!.ScheduleExpression).sort();
    expect(rates).toEqual(['rate(2 minutes)', 'rate(30 minutes)']);
    for (const name of Object.keys(service.functions) as (keyof typeof service.functions)[]) {
      expect(fnEnv(name)).toMatchObject({ TWOFOLD_TRACING: 'on', POWERTOOLS_SERVICE_NAME: 'platform-2fa', POWERTOOLS_METRICS_NAMESPACE: 'Twofold', TWOFOLD_ISSUER: 'https://2fa.platform.example' });
    }
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' }, MemorySize: 512 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 } });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'platform-2fa-twofold' });
  });

  it('send email as the identity given by ARN, and SMS from the origination number', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ses:SendEmail', Resource: platformEmail.identityArn })]) },
    });
    expect(fnEnv('challenge')).toMatchObject({ TWOFOLD_EMAIL_FROM: platformEmail.fromAddress, TWOFOLD_SMS_ORIGINATION_NUMBER: '+4915112345678' });
  });

  it('say what they will do at synth: SMS on, email from, schedules', () => {
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('Twofold platform-2fa'));
    expect(infos).toHaveLength(1);
    const text = String(infos[0]!.entry.data);
    expect(text).toContain('SMS: on (sender id none, origination number +4915112345678, spend alarm at 250 USD/month)');
    expect(text).toContain('email: from Platform Login <login@mail.platform.example> (SES identity platform.example)');
    expect(text).toContain('schedules: event relay every 2 minutes, grace expiry every 30 minutes');
    expect(text).toContain('domain: 2fa.platform.example');
    expect(text).toContain('tracing on');
  });
});

describe('the repo app (defaults) says so at synth too', () => {
  it('SMS off, email off, the default schedules', () => {
    const text = describeSettings(synthTwofold().stateless.service.settings);
    expect(text).toContain('SMS: off');
    expect(text).toContain('email: off');
    expect(text).toContain('schedules: event relay every 1 minute, grace expiry every 1 hour');
    expect(text).toContain('tracing off');
  });
});

describe('refused before anything is made, with the reason', () => {
  it.each([
    [{ fromAddress: 'Acme <no-reply@acme.example>', domain: 'platform.example' }, 'email.fromAddress "Acme <no-reply@acme.example>" is outside the SES domain platform.example'],
    // a look-alike domain is not a subdomain
    [{ fromAddress: 'login@evilplatform.example', domain: 'platform.example' }, 'is outside the SES domain platform.example'],
    [{ fromAddress: 'other@platform.example', identityArn: 'arn:aws:ses:eu-central-1:210987654321:identity/login@platform.example' }, 'is not the SES identity login@platform.example'],
    [{ fromAddress: 'login@platform.example' }, 'give exactly one of domain and identityArn'],
    [{ fromAddress: 'login@platform.example', identityArn: 'arn:aws:sns:eu-central-1:210987654321:topic' }, 'is not an SES identity ARN'],
    [{ fromAddress: 'nobody', domain: 'platform.example' }, 'has no address'],
  ])('email %j', (email, message) => {
    expect(() => platformApp({ email })).toThrow(message);
  });

  it('accepts an address of a subdomain of the SES domain, and an address identity sending as itself', () => {
    expect(() => platformApp({ email: { fromAddress: 'a@eu.mail.platform.example', domain: 'Platform.example' } })).not.toThrow();
    expect(() => platformApp({ email: { fromAddress: 'Login <login@platform.example>', identityArn: 'arn:aws:ses:eu-central-1:210987654321:identity/login@platform.example' } })).not.toThrow();
  });

  it.each([
    [{ eventRelay: Duration.minutes(10) }, 'schedules.eventRelay: whole minutes from 1 to 5'],
    [{ eventRelay: Duration.seconds(30) }, 'schedules.eventRelay'],
    [{ graceExpiry: Duration.days(2) }, 'schedules.graceExpiry: whole minutes from 5 to 1440'],
  ])('schedules %j', (schedules, message) => {
    expect(() => platformApp({ schedules })).toThrow(message);
  });

  it('functionMemoryMb out of range', () => {
    expect(() => platformApp({ functionMemoryMb: 64 })).toThrow('functionMemoryMb 64: whole MB from 128 to 10240');
  });

  it.each([
    [{ senderId: 'Far-Too-Long-Sender' }, 'sms.senderId'],
    [{ originationNumber: '015112345678' }, 'sms.originationNumber'],
    [{ provider: 'twilio' as const }, 'sms.provider "twilio" needs sms.twilioSecretArn'],
    [{ provider: 'vonage' as const }, 'sms.provider "vonage" needs sms.vonageSecretArn'],
  ])('sms %j', (sms, message) => {
    expect(() => platformApp({ sms })).toThrow(message);
  });
});

describe('the data in another stack of the app, or of another app', () => {
  it('reaches the service through SSM parameters: no export, and the data stack deploys first', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const dataStack = new Stack(app, 'AuthData');
    const serviceStack = new Stack(app, 'AuthService');
    const data = new TwofoldData(dataStack, 'Data', { name: 'auth' });
    new TwofoldService(serviceStack, 'Twofold', { data });
    const [dataTemplate, serviceTemplate] = [Template.fromStack(dataStack), Template.fromStack(serviceStack)];
    for (const t of [dataTemplate, serviceTemplate]) {
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
      for (const output of Object.values((t.toJSON().Outputs ?? {}) as Record<string, { Export?: unknown }>)) expect(output.Export).toBeUndefined();
    }
    expect(appParameters(serviceTemplate)).toContain('/auth/twofold/tables/directory');
    expect(serviceStack.dependencies).toEqual([dataStack]);
  });

  it('TwofoldData.fromParameters: a service in an app that does not define the data', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'OnlyTheService');
    new TwofoldService(stack, 'Twofold', { data: TwofoldData.fromParameters(stack, 'Data', 'auth'), name: 'auth' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(appParameters(template).sort()).toEqual([...Object.keys(tables).map((t) => `/auth/twofold/tables/${t}`), '/auth/twofold/event-bus-name', '/auth/twofold/key-arn'].sort());
  });
});
