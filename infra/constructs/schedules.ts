/**
 * The scheduled functions: when each runs, and what happens when a run fails. EventBridge
 * invokes the function asynchronously, so failure has two places: delivering the invocation
 * (the rule target's retry policy and dead-letter queue) and the function throwing (Lambda's
 * own retries, then the same queue as on-failure destination). Every failed run also trips an
 * alarm on the function's errors.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduledFunctionName } from '../bundling';
import type { Alarms } from './alarms';

export interface ScheduleSpec {
  every: Duration;
  /** Retries of a failed run (Lambda's, 0-2) and of a failed delivery (EventBridge's). */
  retryAttempts: number;
  /** Keep runs that still failed after their retries in an SQS queue (alarmed) for a look. */
  deadLetterQueue: boolean;
  /** Why this rhythm and this failure handling. */
  why: string;
}

export const schedules: Record<ScheduledFunctionName, ScheduleSpec> = {
  'event-relay': {
    every: Duration.minutes(1),
    retryAttempts: 0,
    deadLetterQueue: false,
    why: 'the outbox keeps what is pending, so the next minute is the retry; a run that fails is only worth an alarm',
  },
  'grace-expiry': {
    every: Duration.hours(1),
    retryAttempts: 2,
    deadLetterQueue: true,
    why: 'deadlines are hours apart and the job goes on where it stopped; a run that keeps failing is parked and alarmed',
  },
};

export class ScheduledRun extends Construct {
  readonly rule: Rule;
  readonly deadLetters?: Queue;

  constructor(scope: Construct, id: string, props: { name: ScheduledFunctionName; fn: LambdaFunction; spec: ScheduleSpec; alarms: Alarms }) {
    super(scope, id);
    const { name, fn, spec } = props;
    // a run older than its period is superseded by the next one
    const maxEventAge = Duration.seconds(Math.max(60, spec.every.toSeconds()));
    if (spec.deadLetterQueue) {
      this.deadLetters = new Queue(this, 'DeadLetters', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of a schedule: nothing consumes it to fail again.' });
      props.alarms.watch(
        new Alarm(this, 'DeadLettersAlarm', {
          alarmDescription: `A scheduled ${name} run failed after its retries: see the dead-letter queue`,
          metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    fn.configureAsyncInvoke({
      retryAttempts: spec.retryAttempts,
      maxEventAge,
      ...(this.deadLetters ? { onFailure: new SqsDestination(this.deadLetters) } : {}),
    });
    this.rule = new Rule(this, 'Rule', {
      description: `Runs ${name} every ${spec.every.toHumanString()}: ${spec.why}`,
      schedule: Schedule.rate(spec.every),
      targets: [new LambdaTarget(fn, { retryAttempts: spec.retryAttempts, maxEventAge, ...(this.deadLetters ? { deadLetterQueue: this.deadLetters } : {}) })],
    });
    props.alarms.watch(
      new Alarm(this, 'ErrorsAlarm', {
        alarmDescription: `The scheduled ${name} function failed`,
        metric: fn.metricErrors({ period: spec.every.toSeconds() < 300 ? Duration.minutes(5) : spec.every }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
