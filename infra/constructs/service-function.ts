/**
 * One Twofold Lambda function: the defaults every function shares (Node.js 22 on arm64, the
 * bundling of infra/bundling.ts with the local esbuild, a log group with retention, a role of
 * its own), then exactly what its entry in infra/function-needs.ts says, each environment
 * variable beside the grant that makes it usable.
 */
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { censusPartition } from '@twofold/adapters/aws/dynamo-container-census';
import { keys, tables, type TableDefinition, type TableName } from '@twofold/adapters/tables';
import { signingKeyContext } from '@twofold/core/login/assertions';
import { dataKeyContext } from '@twofold/core/keyring';
import { configKeys } from '@twofold/runtime/config';
import { METRICS_NAMESPACE } from '@twofold/runtime/metrics';
import { bundleFunction, entryOf, HANDLER, type LambdaFunctionName } from '../bundling';
import type { DirectoryItem, KeyUse, Needs, TableAccess } from '../function-needs';
import type { Delivery } from './delivery';
import type { TwofoldDataResources } from './twofold-data';

/**
 * The DynamoDB operations the adapters send (packages/adapters/src/aws, and Powertools'
 * idempotency layer): a new kind of call there needs its action here.
 */
export const tableActions: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

const tableEnv: Record<TableName, string> = {
  directory: configKeys.directoryTable,
  secrets: configKeys.secretsTable,
  attempts: configKeys.attemptsTable,
  devices: configKeys.devicesTable,
  idempotency: configKeys.idempotencyTable,
  events: configKeys.eventsTable,
  prompts: configKeys.promptsTable,
};

/** The partition key of each kind of directory item, as IAM's dynamodb:LeadingKeys sees it (StringLike). */
export const directoryLeadingKeys: Record<DirectoryItem, string> = {
  tenant: keys.tenant('*').pk,
  apiKey: keys.apiKey('*').pk,
  signingKey: keys.signingKey.pk,
  // when each API key was last used (KEYUSE#<tenantId>, apart from the key item: see DynamoApiKeyStore)
  keyUse: 'KEYUSE#*',
  // the sparse `tenants` index (its partition key value): every tenant, for the scheduled recount
  tenantList: 'TENANTS',
};

/** The one attribute of an API-key item that a function checking keys may write (besides the key it names). */
export const API_KEY_LAST_USED_ATTRIBUTE = 'lastUsedAtMs';

/**
 * The encryption context of each KMS purpose as IAM conditions: the purpose fixed, the context's
 * keys exactly these (a tenant's id varies, so it is only required to be there).
 */
export const kmsContextConditions = {
  tenantDataKeys: {
    StringEquals: { 'kms:EncryptionContext:purpose': dataKeyContext('x').purpose },
    Null: { 'kms:EncryptionContext:tenantId': 'false' },
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': Object.keys(dataKeyContext('x')).sort() },
  },
  signingKey: {
    StringEquals: { 'kms:EncryptionContext:purpose': signingKeyContext.purpose },
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': Object.keys(signingKeyContext).sort() },
  },
} as const;

export interface ServiceFunctionProps {
  name: LambdaFunctionName;
  needs: Needs;
  data: TwofoldDataResources;
  delivery: Delivery;
  issuer: string;
  logRetention: RetentionDays;
  /** HTTP functions answer within API Gateway's 30 s; scheduled ones work through a backlog. */
  timeout: Duration;
  /** The metrics' `service` dimension: the deployment's name. */
  serviceName: string;
  /** X-Ray active tracing and Powertools Tracer. */
  tracing: boolean;
  memoryMb: number;
  /** The deployment's default tenant request quota (a tenant's own, set with tenant:quota, overrides it). */
  tenantQuota: { requestsPerSecond: number; burst: number };
  /** Concurrent executions kept for this function (infra/capacity.ts); undefined: none reserved. */
  reservedConcurrency?: number | undefined;
}

export class ServiceFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // a role of its own, without AWSLambdaBasicExecutionRole: it may write its own log group, nothing else
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Twofold ${props.name} function` });
    logGroup.grantWrite(role);

    this.fn = new LambdaFunction(this, 'Function', {
      code: functionCode(props.name, props.tracing),
      handler: HANDLER,
      description: `Twofold: ${props.name}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      timeout: props.timeout,
      role,
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
    });

    const { data, needs } = props;
    for (const name of Object.keys(tables) as TableName[]) {
      // every function's config names every table; what it may do with one is up to its needs
      this.fn.addEnvironment(tableEnv[name], data.tables[name].tableName);
      const access = name === 'directory' ? undefined : needs.tables[name];
      if (access) grantTable(data.tables[name], name, role, access);
    }
    grantDirectory(data.tables.directory, role, needs);
    if (needs.countsContainers) {
      // the census of containers serving each tenant (its own items of the attempts table), for the tenants' request quota
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
          resources: [data.tables.attempts.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [censusPartition('*', 0).replace(/0$/, '*')] } },
        }),
      );
    }
    this.fn.addEnvironment(configKeys.tenantRequestsPerSecond, String(props.tenantQuota.requestsPerSecond));
    this.fn.addEnvironment(configKeys.tenantBurst, String(props.tenantQuota.burst));

    this.fn.addEnvironment(configKeys.keyVault, 'kms');
    this.fn.addEnvironment(configKeys.kmsKeyId, data.key.keyArn);
    // named actions only (grantEncryptDecrypt would bring kms:ReEncrypt* and kms:GenerateDataKey*), each under its encryption context
    grantKey(data.key, role, needs.kms.tenantDataKeys, kmsContextConditions.tenantDataKeys);
    grantKey(data.key, role, needs.kms.signingKey, kmsContextConditions.signingKey);

    // in AWS the config asks every function for the bus (events must never fall back to a local log); putting events is up to its needs
    this.fn.addEnvironment(configKeys.eventBus, data.bus.eventBusName);
    if (needs.publishesEvents) data.bus.grantPutEventsTo(role);

    if (needs.sms) props.delivery.sms(this.fn, needs.sms);
    if (needs.email) props.delivery.email(this.fn, needs.email);

    if (needs.tenantCacheSeconds !== undefined) this.fn.addEnvironment(configKeys.tenantCacheSeconds, String(needs.tenantCacheSeconds));
    this.fn.addEnvironment(configKeys.issuer, props.issuer);
    // Powertools Metrics (EMF): the namespace, and the deployment as the `service` dimension
    this.fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);
    this.fn.addEnvironment('POWERTOOLS_SERVICE_NAME', props.serviceName);
    if (props.tracing) this.fn.addEnvironment(configKeys.tracing, 'on');
  }
}

function grantKey(key: IKey, role: Role, uses: readonly KeyUse[] | undefined, conditions: Record<string, Record<string, unknown>>) {
  if (!uses?.length) return;
  role.addToPrincipalPolicy(new PolicyStatement({ actions: uses.map((use) => `kms:${use}`), resources: [key.keyArn], conditions }));
}

const leadingKeys = (items: readonly DirectoryItem[]) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...new Set(items)].map((item) => directoryLeadingKeys[item]) },
});

/**
 * The directory, per kind of item (dynamodb:LeadingKeys): reads and writes of the items the
 * function's needs name, and for API functions the `lastUsedAt` of an API key alone.
 */
function grantDirectory(table: ITable, role: Role, needs: Needs) {
  const { read: allRead = [], write = [] } = needs.directory ?? {};
  const read = allRead.filter((item) => item !== 'tenantList');
  // a read of an item one writes is granted with the read, the write adds only write actions
  if (read.length > 0) role.addToPrincipalPolicy(new PolicyStatement({ actions: [...tableActions.read], resources: [table.tableArn], conditions: leadingKeys(read) }));
  if (allRead.includes('tenantList')) {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [table.tableArn, `${table.tableArn}/index/tenants`], conditions: leadingKeys(['tenantList']) }));
  }
  if (write.length > 0) role.addToPrincipalPolicy(new PolicyStatement({ actions: [...tableActions.write], resources: [table.tableArn], conditions: leadingKeys(write) }));
  if (needs.touchesApiKeys) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: {
          ...leadingKeys(['keyUse']),
          // the key attributes name the item; nothing but the time of last use may change
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [tables.directory.partitionKey, tables.directory.sortKey, API_KEY_LAST_USED_ATTRIBUTE] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_NEW'] },
        },
      }),
    );
  }
}

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A function's asset built on this machine by `bundleFunction`. Its fields are what it builds:
 * CDK tells assets apart by the JSON of their bundling options (AssetStaging's cache key), so a
 * bundler that held only a closure would make every function share the first one's asset.
 */
class FunctionBundler implements ILocalBundling {
  constructor(
    readonly name: LambdaFunctionName,
    readonly entry: string,
    readonly tracing: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleFunction(this.name, outputDir, { root: repositoryRoot, tracing: this.tracing });
    return true;
  }
}

/**
 * The function's asset: its entry and chunks as `bundleFunction` builds them (code splitting,
 * which NodejsFunction cannot do), with the local esbuild, never Docker (the image is never
 * pulled: local bundling always succeeds or throws). Hashed by output, as NodejsFunction's
 * assets are, so the repository itself is never fingerprinted or copied; a synth that skips
 * bundling (the `aws:cdk:bundling-stacks` context) runs none of this.
 */
function functionCode(name: LambdaFunctionName, tracing: boolean) {
  return Code.fromAsset(repositoryRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new FunctionBundler(name, entryOf(name), tracing) },
  });
}

/** The table, and for reads its indexes by name (no `index/*`), with the actions of `access`. */
function grantTable(table: ITable, name: TableName, role: Role, access: TableAccess) {
  const def: TableDefinition = tables[name];
  // writes go to the table; only reads (Query) reach an index
  const indexes = access === 'write' ? [] : (def.globalIndexes ?? []);
  Grant.addToPrincipal({
    grantee: role,
    actions: [...tableActions[access]],
    resourceArns: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
  });
}
