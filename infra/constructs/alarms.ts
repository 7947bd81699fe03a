/**
 * Where alarms go: one SNS topic, with the operator's email subscribed when the settings name
 * one. Every alarm of the deployment notifies it (SMS spend, scheduled jobs failing).
 */
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export class Alarms extends Construct {
  readonly topic: ITopic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: { email?: string }) {
    super(scope, id);
    // not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and
    // a notification carries an alarm's name and state, no customer data
    const topic = new Topic(this, 'Topic', { displayName: 'Twofold alarms', enforceSSL: true });
    if (props.email) topic.addSubscription(new EmailSubscription(props.email));
    this.topic = topic;
    this.action = new SnsAction(topic);
  }

  /** Notifies the topic when `alarm` fires. */
  watch(alarm: Alarm): Alarm {
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}
