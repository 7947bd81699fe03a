/**
 * Every alarm of issue 14 item 4 on the synthesized template, each to the alarm topic, and the
 * dashboard with the API, the application metrics (the names runtime/metrics.ts emits), the
 * functions, the tables and every alarm's state.
 */
import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { tables, type TableName } from '@twofold/adapters/tables';
import { metricNames } from '@twofold/runtime/metrics';
import { lambdaFunctions } from '../../infra/bundling';
import { fullSettings, resourcesOf, synthTwofold } from './synth';

const { stateless, statelessTemplate } = synthTwofold(fullSettings);
const alarms = resourcesOf(statelessTemplate, 'AWS::CloudWatch::Alarm');
type MetricStat = { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }; Stat: string };
type MetricQuery = { Id: string; Expression?: string; MetricStat?: MetricStat };
const queriesOf = (props: Record<string, unknown>) => (props.Metrics ?? []) as MetricQuery[];
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stateless.getLogicalId(construct.node.defaultChild as CfnResource);
const topicId = logicalId(stateless.service.alarmTopic as never);

/** The alarms that watch `namespace/metricName`, directly or in their math. */
const watching = (namespace: string, metricName: string) =>
  alarms.filter(([, a]) => {
    const p = a.Properties!;
    return (p.Namespace === namespace && p.MetricName === metricName) || queriesOf(p).some((q) => q.MetricStat?.Metric.Namespace === namespace && q.MetricStat.Metric.MetricName === metricName);
  });

/** The one alarm of a kind. */
function theOne(found: ReturnType<typeof watching>) {
  expect(found).toHaveLength(1);
  return found[0]![1] as { Properties: Record<string, unknown> };
}

describe('alarms', () => {
  it('every alarm notifies the alarm topic, when it fires and when it clears', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(1 + 1 + Object.keys(tables).length + lambdaFunctions.length + 1 + 1 + 1);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties!.OKActions).toEqual([{ Ref: topicId }]);
      expect(String(alarm.Properties!.AlarmDescription).length).toBeGreaterThan(20);
    }
  });

  it('API 5xx rate: 5xx over requests, in percent, above 1% once there are 20 requests', () => {
    const alarm = theOne(watching('AWS/ApiGateway', '5xx'));
    const queries = queriesOf(alarm.Properties);
    const expression = queries.find((q) => q.Expression)!;
    expect(expression.Expression).toMatch(/^IF\((\w+) >= 20, 100 \* (\w+) \/ \1, 0\)$/);
    expect(queries.map((q) => q.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['5xx', 'Count']);
    expect(alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
  });

  it('API p99 latency: over 1 s for three 5-minute periods', () => {
    const alarm = theOne(watching('AWS/ApiGateway', 'Latency'));
    expect(alarm.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 1000, EvaluationPeriods: 3, Period: 300 });
  });

  it.each(Object.keys(tables) as TableName[])('DynamoDB throttles of the %s table, reads and writes', (name) => {
    const tableName = JSON.stringify(stateless.resolve(stateless.service.data.tables[name].tableName));
    const mine = alarms.filter(([, a]) => queriesOf(a.Properties!).some((q) => JSON.stringify(q.MetricStat?.Metric.Dimensions ?? []) === JSON.stringify([{ Name: 'TableName', Value: JSON.parse(tableName) }])));
    expect(mine).toHaveLength(1);
    const metrics = queriesOf(mine[0]![1].Properties!).flatMap((q) => q.MetricStat?.Metric.MetricName ?? []).sort();
    expect(metrics).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents']);
    expect(mine[0]![1].Properties).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it.each(lambdaFunctions)('function errors of %s', (name) => {
    const fnId = logicalId(stateless.functions[name]);
    const mine = watching('AWS/Lambda', 'Errors').filter(([, a]) => JSON.stringify(a.Properties!.Dimensions).includes(`"${fnId}"`));
    expect(mine).toHaveLength(1);
    expect(mine[0]![1].Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('the dead-letter queue of the grace-expiry job', () => {
    expect(watching('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(1);
  });

  it('events pending for more than 5 minutes: the age of the oldest unpublished event, as the relay reports it', () => {
    const alarm = theOne(watching('Twofold', metricNames.oldestPendingEventAgeSeconds));
    expect(alarm.Properties).toMatchObject({ Statistic: 'Maximum', Threshold: 300, ComparisonOperator: 'GreaterThanThreshold', Dimensions: [{ Name: 'service', Value: 'tf-test' }] });
  });

  it('SMS spend this month, at the threshold of the settings', () => {
    const alarm = theOne(watching('AWS/SNS', 'SMSMonthToDateSpentUSD'));
    expect(alarm.Properties).toMatchObject({ Threshold: 25, Statistic: 'Maximum' });
  });
});

describe('dashboard', () => {
  const dashboards = resourcesOf(statelessTemplate, 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboards[0]?.[1].Properties!.DashboardBody);

  it('is one, named after the deployment', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]![1].Properties!.DashboardName).toBe('tf-test-twofold');
  });

  it('shows every application metric, for this deployment', () => {
    for (const name of Object.values(metricNames)) expect(body, name).toContain(name);
    expect(body).toContain('service=\\\\\\"tf-test\\\\\\"');
  });

  it('shows the API, every function, every table and the SMS spend', () => {
    for (const metric of ['5xx', '4xx', 'Latency', 'IntegrationLatency', 'Duration', 'Throttles', 'ReadThrottleEvents', 'ConsumedWriteCapacityUnits', 'SMSMonthToDateSpentUSD']) expect(body).toContain(`"${metric}`);
    for (const name of lambdaFunctions) expect(body).toContain(logicalId(stateless.functions[name]));
  });

  it("shows every alarm's state", () => {
    for (const [id] of alarms) expect(body).toContain(`"${id}"`);
  });
});
