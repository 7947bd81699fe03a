/**
 * Watching the service: the alarms that page (each to the alarm topic; docs/operations.md
 * says what each means and what to do) and one CloudWatch dashboard with the API, the
 * application metrics (runtime/metrics.ts, EMF), the functions, the tables and the alarms'
 * states. Plain aws-cloudwatch: no construct library, nothing to fetch at synth.
 *
 * The alarms made elsewhere, beside what they watch: the SMS spend (delivery.ts), each
 * scheduled function failing and the grace-expiry dead-letter queue (schedules.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { TableName } from '@twofold/adapters/tables';
import { METRICS_NAMESPACE, metricNames } from '@twofold/runtime/metrics';
import type { Alarms } from './alarms';

/** When the alarms fire. */
export interface AlarmThresholds {
  /** Share of API requests answered 5xx over 5 minutes, in percent (with at least 20 requests). @default 1 */
  readonly api5xxPercent?: number;
  /** p99 of the API's latency over 5 minutes, three periods running, in milliseconds. @default 1000 */
  readonly apiLatencyP99Ms?: number;
  /** Throttled reads and writes of one table in 5 minutes. @default 10 */
  readonly dynamoDbThrottles?: number;
  /** Age of the oldest security event still unpublished, in seconds. @default 300 */
  readonly pendingEventAgeSeconds?: number;
}

export const defaultThresholds: Required<AlarmThresholds> = { api5xxPercent: 1, apiLatencyP99Ms: 1000, dynamoDbThrottles: 10, pendingEventAgeSeconds: 300 };

export interface ObservabilityProps {
  /** The deployment's name: the `service` dimension of the application metrics, and the dashboard's name. */
  name: string;
  api: HttpApi;
  /** The functions that serve routes (errors alarmed here) and the scheduled ones (shown; alarmed by their schedule). */
  routedFunctions: Record<string, IFunction>;
  scheduledFunctions: Record<string, IFunction>;
  tables: Record<TableName, ITable>;
  alarms: Alarms;
  thresholds?: AlarmThresholds;
  /** Show the SMS spend (the deployment sends SMS). */
  sms: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Observability extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const thresholds = { ...defaultThresholds, ...props.thresholds };
    const { api, alarms } = props;
    const app = (metricName: string, dimensionsMap: Record<string, string> = {}, statistic = 'Sum') =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: props.name, ...dimensionsMap }, statistic, period: FIVE_MINUTES });
    /** Every series of an application metric, whatever its dimension values (dashboards only: alarms cannot SEARCH). */
    const search = (metricName: string, dimensions: string[], label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${['service', ...dimensions].join(',')}} MetricName="${metricName}" service="${props.name}"', 'Sum', 300)`,
        usingMetrics: {},
        label,
        period: FIVE_MINUTES,
      });

    // ---------------------------------------------------------------- alarms
    const requests = api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrorRate = new MathExpression({
      // too few requests say nothing: below 20 in 5 minutes the rate counts as 0
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      label: 'API 5xx (%)',
      period: FIVE_MINUTES,
    });
    alarms.watch(
      new Alarm(this, 'Api5xxRate', {
        alarmDescription: `More than ${thresholds.api5xxPercent}% of API requests answered 5xx in 5 minutes (docs/operations.md#api-5xx-rate)`,
        metric: serverErrorRate,
        threshold: thresholds.api5xxPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const latencyP99 = api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarms.watch(
      new Alarm(this, 'ApiLatencyP99', {
        alarmDescription: `The API's p99 latency has been over ${thresholds.apiLatencyP99Ms} ms for 15 minutes (docs/operations.md#api-p99-latency)`,
        metric: latencyP99,
        threshold: thresholds.apiLatencyP99Ms,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const throttlesOf = (name: TableName, table: ITable) =>
      new MathExpression({
        expression: `r${name} + w${name}`,
        usingMetrics: {
          [`r${name}`]: new Metric({ namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: FIVE_MINUTES }),
          [`w${name}`]: new Metric({ namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: FIVE_MINUTES }),
        },
        label: `${name} throttles`,
        period: FIVE_MINUTES,
      });
    const throttles = Object.entries(props.tables).map(([name, table]) => throttlesOf(name as TableName, table));
    for (const [i, name] of (Object.keys(props.tables) as TableName[]).entries()) {
      alarms.watch(
        new Alarm(this, `${name}TableThrottles`, {
          alarmDescription: `DynamoDB throttled ${thresholds.dynamoDbThrottles} or more requests to the ${name} table in 5 minutes (docs/operations.md#dynamodb-throttles)`,
          metric: throttles[i]!,
          threshold: thresholds.dynamoDbThrottles,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // a routed function's error is a crash, a timeout or a cold start that failed: the middleware answers every other failure
    for (const [name, fn] of Object.entries(props.routedFunctions)) {
      alarms.watch(
        new Alarm(this, `${name}FunctionErrors`, {
          alarmDescription: `The ${name} function crashed, timed out or failed to start (docs/operations.md#function-errors)`,
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    const oldestPending = app(metricNames.oldestPendingEventAgeSeconds, {}, 'Maximum');
    alarms.watch(
      new Alarm(this, 'EventsPending', {
        alarmDescription: `A security event has waited more than ${thresholds.pendingEventAgeSeconds} s to reach EventBridge (docs/operations.md#events-pending)`,
        metric: oldestPending,
        threshold: thresholds.pendingEventAgeSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // the relay reports every run; when it does not run, its errors alarm says so
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // ---------------------------------------------------------------- dashboard
    const allFunctions = { ...props.routedFunctions, ...props.scheduledFunctions };
    const perFunction = (metric: (fn: IFunction) => IMetric) => Object.values(allFunctions).map(metric);
    const labelled = (metric: (fn: IFunction) => Metric) => Object.entries(allFunctions).map(([name, fn]) => metric(fn).with({ label: name }));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.name}-twofold`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new TextWidget({
            markdown: `# Twofold (${props.name})\nAlarms and what to do: docs/operations.md. Application metrics: namespace \`${METRICS_NAMESPACE}\`, service \`${props.name}\`.`,
            width: 24,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms.watched], width: 24, height: 4 })],
        [
          new GraphWidget({ title: 'API requests, 4xx, 5xx', left: [requests, api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }), serverErrors], width: 8 }),
          new GraphWidget({ title: 'API 5xx rate (%)', left: [serverErrorRate], leftAnnotations: [{ value: thresholds.api5xxPercent, label: 'alarm' }], width: 8 }),
          new GraphWidget({
            title: 'API latency (ms)',
            left: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), latencyP99, api.metricIntegrationLatency({ period: FIVE_MINUTES, statistic: 'p99' })],
            leftAnnotations: [{ value: thresholds.apiLatencyP99Ms, label: 'p99 alarm' }],
            width: 8,
          }),
        ],
        [
          new GraphWidget({ title: 'Verifications by method and outcome', left: [search(metricNames.verifications, ['method', 'outcome'], '')], width: 8 }),
          new GraphWidget({ title: 'Lockouts', left: [app(metricNames.lockouts)], width: 8 }),
          new GraphWidget({
            title: 'Codes sent by channel; delivery failures',
            left: [search(metricNames.codesSent, ['channel', 'route'], '')],
            right: [search(metricNames.deliveryFailures, ['channel'], '')],
            width: 8,
          }),
        ],
        [
          new GraphWidget({ title: 'Security events: oldest pending (s), pending per run', left: [oldestPending], right: [app(metricNames.eventsPending, {}, 'Maximum')], leftAnnotations: [{ value: thresholds.pendingEventAgeSeconds, label: 'alarm' }], width: 8 }),
          new GraphWidget({ title: 'Grace periods: expiries and reminders', left: [app(metricNames.graceExpiries), app(metricNames.graceReminders)], width: 8 }),
          props.sms
            ? new SingleValueWidget({ title: 'SMS spend this month (USD)', metrics: [new Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', statistic: 'Maximum', period: FIVE_MINUTES })], width: 8 })
            : new TextWidget({ markdown: 'SMS is off in this deployment.', width: 8 }),
        ],
        [
          new GraphWidget({ title: 'Function errors', left: labelled((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })), width: 8 }),
          new GraphWidget({ title: 'Function duration p99 (ms)', left: labelled((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })), width: 8 }),
          new GraphWidget({ title: 'Function throttles', left: perFunction((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })), width: 8 }),
        ],
        [
          new GraphWidget({ title: 'DynamoDB throttles', left: throttles, width: 12 }),
          new GraphWidget({
            title: 'DynamoDB consumed capacity (RCU left, WCU right)',
            left: Object.entries(props.tables).map(([name, table]) => table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES, label: name })),
            right: Object.entries(props.tables).map(([name, table]) => table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES, label: name })),
            width: 12,
          }),
        ],
      ],
    });
  }
}
