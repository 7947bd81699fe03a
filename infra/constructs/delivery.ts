/**
 * Sending codes: SMS through Amazon SNS (or Twilio or Vonage) and email through Amazon SES, each
 * only when the settings configure it. A function that sends gets the sender's settings
 * (environment) and the one permission to send, together; a function that only needs to know
 * the channel exists gets the settings alone. Without a channel nothing is set, and the runtime
 * answers sms_not_configured / email_not_configured.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { configKeys } from '@twofold/runtime/config';
import type { EmailSettings, SmsSettings } from '../settings';
import type { Alarms } from './alarms';

export type ChannelUse = 'send' | 'configured';

export class Delivery extends Construct {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: { sms?: SmsSettings; email?: EmailSettings; alarms: Alarms },
  ) {
    super(scope, id);
    if (props.sms?.provider === 'sns') {
      // SNS reports the month's SMS spend; past the account's SNS spend limit, texts stop going out
      props.alarms.watch(
        new Alarm(this, 'SmsMonthlySpend', {
          alarmDescription: `SMS spend this month has reached ${props.sms.monthlySpendAlarmUsd} USD`,
          metric: new Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', statistic: 'Maximum', period: Duration.minutes(5) }),
          threshold: props.sms.monthlySpendAlarmUsd,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /** Lets `fn` use SMS as `use` says, when the deployment has SMS. */
  sms(fn: LambdaFunction, use: ChannelUse): void {
    const sms = this.props.sms;
    if (!sms) return;
    if (sms.provider !== 'sns') {
      const [secretKey, secretArn] = sms.provider === 'twilio' ? [configKeys.twilioSecretId, sms.twilioSecretArn] : [configKeys.vonageSecretId, sms.vonageSecretArn];
      // the settings and the construct's checks refuse a provider without its secret
      if (secretArn === undefined) throw new Error(`sms.provider "${sms.provider}" needs its secret`);
      fn.addEnvironment(configKeys.smsSender, sms.provider);
      fn.addEnvironment(secretKey, secretArn);
      // the credentials, read once per container; nothing else of Secrets Manager
      if (use === 'send') fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
      return;
    }
    fn.addEnvironment(configKeys.smsSender, 'sns');
    if (sms.senderId) fn.addEnvironment(configKeys.smsSenderId, sms.senderId);
    if (sms.originationNumber) fn.addEnvironment(configKeys.smsOriginationNumber, sms.originationNumber);
    if (use !== 'send') return;
    // a text to a phone number is a Publish with no topic: IAM knows no resource for it but "*"
    const policy = new Policy(fn, 'SendsSms', {
      statements: [new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })],
    });
    fn.role!.attachInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'SNS direct SMS (Publish with PhoneNumber) has no resource ARN; IAM documents Resource "*" for it. The policy allows sns:Publish only.',
    });
  }

  /** Lets `fn` use email as `use` says, when the deployment has email. */
  email(fn: LambdaFunction, use: ChannelUse): void {
    const email = this.props.email;
    if (!email) return;
    fn.addEnvironment(configKeys.emailSender, 'ses');
    fn.addEnvironment(configKeys.emailFrom, email.fromAddress);
    if (email.configurationSet) fn.addEnvironment(configKeys.sesConfigurationSet, email.configurationSet);
    if (use !== 'send') return;
    // SES authorizes SendEmail on the identity that sends and on the configuration set it names
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: this.sesResources(email) }));
  }

  private sesResources(email: EmailSettings): string[] {
    const stack = Stack.of(this);
    const identity = email.identityArn ?? stack.formatArn({ service: 'ses', resource: 'identity', resourceName: email.domain! });
    const configurationSet = email.configurationSet
      ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: email.configurationSet })]
      : [];
    return [identity, ...configurationSet];
  }
}
