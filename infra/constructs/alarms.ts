/**
 * Where alarms go: one SNS topic — the platform's own when it gives one, else a topic of the
 * deployment's, with the operator's email subscribed when the settings name one. Every alarm of
 * the deployment notifies it (docs/operations.md says what each means and what to do).
 */
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export class Alarms extends Construct {
  readonly topic: ITopic;
  /** Every alarm watched, in the order made: the dashboard shows their states. */
  readonly watched: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: { topic?: ITopic; email?: string }) {
    super(scope, id);
    // not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and
    // a notification carries an alarm's name and state, no customer data
    const topic = props.topic ?? new Topic(this, 'Topic', { displayName: 'Twofold alarms', enforceSSL: true });
    if (props.email) topic.addSubscription(new EmailSubscription(props.email));
    this.topic = topic;
    this.action = new SnsAction(topic);
  }

  /** Notifies the topic when `alarm` fires, and when it is back to OK. */
  watch(alarm: Alarm): Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.watched.push(alarm);
    return alarm;
  }
}
