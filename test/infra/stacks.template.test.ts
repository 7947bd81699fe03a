/**
 * The synthesized templates of a deployment with every option on: the stateful resources are
 * retained and protected, every function runs as the architecture says, the API is the route
 * table with no authorizer (each function checks its API key), the schedules fail loudly, no
 * policy grants a wildcard action, and the stacks share nothing through CloudFormation exports.
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { tables, type TableDefinition, type TableName } from '@twofold/adapters/tables';
import { routeKeyOf, routes } from '@twofold/contract/routes';
import { loadConfig } from '@twofold/runtime/config';
import { lambdaFunctions } from '../../infra/bundling';
import { allStatements, actionsOf, fullSettings, resourcesOf, synthTwofold, type CfnResourceJson, type PolicyStatementJson } from './synth';

// with CloudFormation's schema validation: a property CloudFormation would refuse fails here
const stacks = synthTwofold(fullSettings, { validate: true });
const { stateful, stateless, statefulTemplate, statelessTemplate } = stacks;

const logicalId = (construct: { node: { defaultChild?: unknown } }, stack: Stack = stateless) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
const resource = (template: typeof statelessTemplate, id: string) => (template.toJSON().Resources as Record<string, CfnResourceJson>)[id]!;

describe('stateful stack', () => {
  it.each(Object.keys(tables) as TableName[])('the %s table has its keys, indexes and TTL, on demand, with PITR, encrypted, retained', (name) => {
    const def: TableDefinition = tables[name];
    const table = resource(statefulTemplate, logicalId(stateful.data.tables[name] as never, stateful));
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    const p = table.Properties!;
    expect(p.KeySchema).toEqual([
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
    ]);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(p.TimeToLiveSpecification).toEqual(def.timeToLiveAttribute ? { AttributeName: def.timeToLiveAttribute, Enabled: true } : undefined);
    const indexes = (p.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    expect(indexes.map((i) => i.IndexName)).toEqual((def.globalIndexes ?? []).map((i) => i.name));
    for (const [i, index] of (def.globalIndexes ?? []).entries()) {
      expect(indexes[i]!.KeySchema).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect(indexes[i]!.Projection).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('has exactly one table per definition', () => {
    statefulTemplate.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
  });

  it('the KMS key rotates, is retained, and has an alias', () => {
    statefulTemplate.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
    statefulTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/tf-test/key-vault' });
  });

  it('the key policy names its actions: the account administers it and uses it for Decrypt and GenerateDataKey, nothing else', () => {
    const [[, key]] = resourcesOf(statefulTemplate, 'AWS::KMS::Key') as [[string, CfnResourceJson]];
    const statements = (key.Properties!.KeyPolicy as { Statement: PolicyStatementJson[] }).Statement;
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:PutKeyPolicy', 'kms:EnableKeyRotation']));
    for (const never of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext']) expect(actions).not.toContain(never);
    // one principal, the account: a function's permission comes from its IAM role, as the grants say
    const principals = new Set(statements.map((s) => JSON.stringify((s as unknown as { Principal: unknown }).Principal)));
    expect([...principals]).toHaveLength(1);
    expect([...principals][0]).toContain(':root');
  });

  it('exports nothing, and the stateless stack imports nothing: it reads the data from SSM parameters at deploy time', () => {
    for (const template of [statefulTemplate, statelessTemplate]) {
      for (const output of Object.values((template.toJSON().Outputs ?? {}) as Record<string, { Export?: unknown }>)) expect(output.Export).toBeUndefined();
      expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    }
    const parameters = statelessTemplate.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const ssm = Object.values(parameters).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && !p.Default.startsWith('/cdk-bootstrap/')).map((p) => p.Default).sort();
    expect(ssm).toEqual([...Object.keys(tables).map((t) => `/tf-test/twofold/tables/${t}`), '/tf-test/twofold/event-bus-name', '/tf-test/twofold/key-arn'].sort());
    // written by the stateful stack, with the values of its own resources
    for (const name of ssm) statefulTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
    statefulTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: '/tf-test/twofold/key-arn', Value: { 'Fn::GetAtt': [logicalId({ node: { defaultChild: stateful.data.key.node.defaultChild } }, stateful), 'Arn'] } });
    // and deployed after it
    expect(stateless.dependencies.map((d) => d.stackName)).toEqual([stateful.stackName]);
  });

  it('outputs the table names, the key and the bus', () => {
    const outputs = Object.keys(statefulTemplate.toJSON().Outputs as object);
    expect(outputs).toEqual(expect.arrayContaining(['DirectoryTableName', 'SecretsTableName', 'KmsKeyId', 'KmsKeyArn', 'EventBusName', 'EventBusArn']));
    statefulTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'tf-test-security-events' });
  });
});

describe('functions', () => {
  it.each(lambdaFunctions)('%s runs Node.js 22 on arm64 from functions/<name>.ts, logging to a group with the retention set', (name) => {
    const fn = resource(statelessTemplate, logicalId(stateless.functions[name]));
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    const logGroupId = (fn.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resource(statelessTemplate, logGroupId).Properties!.RetentionInDays).toBe(30);
    const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ TWOFOLD_KEY_VAULT: 'kms', TWOFOLD_ISSUER: 'https://2fa.acme.example' });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['TWOFOLD_DIRECTORY_TABLE', 'TWOFOLD_SECRETS_TABLE', 'TWOFOLD_KMS_KEY_ID']));
  });

  it.each(lambdaFunctions)("%s's environment passes the runtime's config check, as its cold start will", (name) => {
    const fn = resource(statelessTemplate, logicalId(stateless.functions[name]));
    const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    // tokens (imports from the stateful stack) are strings once deployed
    const deployed = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `deployed-${k.toLowerCase()}`]));
    expect(() => loadConfig({ ...deployed, AWS_REGION: 'eu-west-1' })).not.toThrow();
  });

  it('no IAM policy statement allows a wildcard action (dynamodb:*, kms:*, kms:GenerateDataKey* ...), nor does the key policy', () => {
    const statements = [...allStatements(statelessTemplate), ...allStatements(statefulTemplate)];
    expect(statements.length).toBeGreaterThan(lambdaFunctions.length);
    const wildcards = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf).filter((a) => a.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('no function is given AWS-managed policies: each role writes its own log group and has what its needs say', () => {
    for (const [, role] of resourcesOf(statelessTemplate, 'AWS::IAM::Role')) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

describe('HTTP API', () => {
  const routeResources = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Route');
  const integrationTarget = (fnName: string) => {
    const fnId = logicalId(stateless.functions[fnName as keyof typeof stateless.functions]);
    const [integrationId] = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Integration').find(([, r]) => JSON.stringify(r.Properties!.IntegrationUri).includes(`"${fnId}"`))!;
    return { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] };
  };
  const routeByKey = (key: string) => routeResources.find(([, r]) => r.Properties!.RouteKey === key)?.[1];

  it('has one route per route-table entry, plus $default', () => {
    expect(routeResources.map(([, r]) => r.Properties!.RouteKey).sort()).toEqual([...routes.map(routeKeyOf), '$default'].sort());
  });

  it.each(routes.map((r) => [routeKeyOf(r), r] as const))('%s goes to its function, with no authorizer in front (one invocation per request)', (key, route) => {
    const r = routeByKey(key)!;
    expect(r.Properties!.Target).toEqual(integrationTarget(route.fn));
    expect(r.Properties!.AuthorizerId).toBeUndefined();
    expect(r.Properties!.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('$default goes to the public function', () => {
    const r = routeByKey('$default')!;
    expect(r.Properties!.Target).toEqual(integrationTarget('public'));
    expect(r.Properties!.AuthorizerId).toBeUndefined();
  });

  it('has no Lambda authorizer, and no authorizer function is deployed', () => {
    statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    const descriptions = resourcesOf(statelessTemplate, 'AWS::Lambda::Function').map(([, f]) => f.Properties!.Description);
    expect(descriptions).not.toContain('Twofold: authorizer');
  });

  it('the $default stage throttles and writes JSON access logs', () => {
    const [, stage] = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Stage')[0]!;
    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 } });
    const format = JSON.parse((stage.Properties!.AccessLogSettings as { Format: string }).Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(Object.values(format)).not.toContain('$context.path');
  });

  it('outputs the API URL', () => {
    expect(Object.keys(statelessTemplate.toJSON().Outputs as object)).toContain('ApiUrl');
  });
});

describe('schedules', () => {
  const ruleFor = (name: 'event-relay' | 'grace-expiry') => {
    const fnId = logicalId(stateless.functions[name]);
    return resourcesOf(statelessTemplate, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties!.Targets).includes(`"${fnId}"`))![1];
  };
  const asyncConfigFor = (name: 'event-relay' | 'grace-expiry') =>
    resourcesOf(statelessTemplate, 'AWS::Lambda::EventInvokeConfig').find(([, r]) => JSON.stringify(r.Properties!.FunctionName).includes(`"${logicalId(stateless.functions[name])}"`))![1];

  it('the event relay runs every minute; the next minute is its retry', () => {
    const rule = ruleFor('event-relay');
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 minute)');
    expect(asyncConfigFor('event-relay').Properties!.MaximumRetryAttempts).toBe(0);
  });

  it('grace expiry runs hourly, with retries and a dead-letter queue on the target and on the function', () => {
    const rule = ruleFor('grace-expiry');
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 hour)');
    const [target] = rule.Properties!.Targets as { RetryPolicy: unknown; DeadLetterConfig: { Arn: unknown } }[];
    expect(target!.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    const config = asyncConfigFor('grace-expiry').Properties!;
    expect(config).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    expect((config.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination).toEqual(target!.DeadLetterConfig.Arn);
  });

  it('the dead-letter queue is encrypted and refuses requests without TLS', () => {
    const [[queueId, queue]] = resourcesOf(statelessTemplate, 'AWS::SQS::Queue') as [[string, CfnResourceJson]];
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    const [, policy] = resourcesOf(statelessTemplate, 'AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties!.Queues).includes(`"${queueId}"`))!;
    expect((policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('alarms on each scheduled function failing, on the dead-letter queue and on the SMS spend, to a topic the operator is subscribed to', () => {
    const alarms = resourcesOf(statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const metrics = alarms.map((a) => `${a.Namespace}/${a.MetricName}`);
    // every function's errors: the scheduled ones beside their schedule, the routed ones with the other alarms (observability)
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(lambdaFunctions.length);
    expect(metrics).toContain('AWS/SQS/ApproximateNumberOfMessagesVisible');
    expect(alarms).toContainEqual(expect.objectContaining({ Namespace: 'AWS/SNS', MetricName: 'SMSMonthToDateSpentUSD', Threshold: 25 }));
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@acme.example' });
  });
});
