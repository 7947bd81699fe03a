/**
 * The repo's own stateless stack: a TwofoldService made from the deployment's settings (the
 * CDK context), fed by the stateful stack's TwofoldData through its SSM parameters.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { TwofoldData } from '../constructs/twofold-data';
import { TwofoldService, type TwofoldServiceProps } from '../constructs/twofold-service';
import type { Settings } from '../settings';

export class StatelessStack extends Stack {
  readonly service: TwofoldService;

  constructor(scope: Construct, id: string, props: StackProps & { settings: Settings; data: TwofoldData }) {
    super(scope, id, props);
    // "Default": the functions, API and alarms keep the logical ids they had before the construct
    this.service = new TwofoldService(this, 'Default', serviceProps(this, props.settings, props.data));
  }

  get functions() {
    return this.service.functions;
  }

  get api() {
    return this.service.api;
  }
}

/** The construct's props from the context settings. */
export function serviceProps(scope: Construct, settings: Settings, data: TwofoldData): TwofoldServiceProps {
  const { domain, schedules } = settings;
  return {
    data,
    name: settings.prefix,
    issuer: settings.issuer,
    logRetention: settings.logRetentionDays,
    api: settings.api,
    tenantRequestsPerSecond: settings.tenantRequestsPerSecond,
    tenantBurst: settings.tenantBurst,
    ...(settings.sms ? { sms: settings.sms } : {}),
    ...(settings.email ? { email: settings.email } : {}),
    ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    ...(settings.alarmTopicArn ? { alarmTopic: Topic.fromTopicArn(scope, 'AlarmTopic', settings.alarmTopicArn) } : {}),
    ...(domain
      ? {
          domain: {
            domainName: domain.name,
            certificate: Certificate.fromCertificateArn(scope, 'Certificate', domain.certificateArn),
            ...(domain.hostedZoneId ? { hostedZone: HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.hostedZoneName! }) } : {}),
          },
        }
      : {}),
    schedules: {
      ...(schedules?.eventRelayMinutes !== undefined ? { eventRelay: Duration.minutes(schedules.eventRelayMinutes) } : {}),
      ...(schedules?.graceExpiryMinutes !== undefined ? { graceExpiry: Duration.minutes(schedules.graceExpiryMinutes) } : {}),
    },
    ...(settings.tracing !== undefined ? { tracing: settings.tracing } : {}),
  };
}
