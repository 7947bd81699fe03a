/**
 * One Twofold Lambda function: the defaults every function shares (Node.js 22 on arm64, the
 * bundling of infra/bundling.ts with the local esbuild, a log group with retention, a role of
 * its own), then exactly what its entry in infra/function-needs.ts says, each environment
 * variable beside the grant that makes it usable.
 */
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { tables, type TableDefinition, type TableName } from '@twofold/adapters/tables';
import { configKeys } from '@twofold/runtime/config';
import { bundledFiles, bundling, entryOf, type LambdaFunctionName } from '../bundling';
import type { Needs, TableAccess } from '../function-needs';
import type { StatefulResources } from '../stacks/stateful-stack';
import type { Delivery } from './delivery';

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
};

export interface ServiceFunctionProps {
  name: LambdaFunctionName;
  needs: Needs;
  data: StatefulResources;
  delivery: Delivery;
  issuer: string;
  logRetention: RetentionDays;
  /** HTTP functions answer within API Gateway's 30 s; scheduled ones work through a backlog. */
  timeout: Duration;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // a role of its own, without AWSLambdaBasicExecutionRole: it may write its own log group, nothing else
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Twofold ${props.name} function` });
    logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: entryOf(props.name),
      description: `Twofold: ${props.name}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      // crypto (ES256, HKDF, AES-GCM) and cold starts both go faster with the CPU that comes with memory
      memorySize: 1024,
      timeout: props.timeout,
      role,
      logGroup,
      bundling: {
        target: bundling.target,
        format: OutputFormat.ESM,
        minify: bundling.minify,
        sourceMap: bundling.sourcemap,
        externalModules: [...bundling.externalModules],
        mainFields: [...bundling.mainFields],
        banner: bundling.banner,
        // the esbuild in node_modules, never Docker
        forceDockerBundling: false,
        ...copyBeside(bundledFiles[props.name] ?? []),
      },
    });

    const { data, needs } = props;
    for (const name of Object.keys(tables) as TableName[]) {
      // every function's config names every table; what it may do with one is up to its needs
      this.fn.addEnvironment(tableEnv[name], data.tables[name].tableName);
      const access = needs.tables[name];
      if (access) grantTable(data.tables[name], name, role, access);
    }

    this.fn.addEnvironment(configKeys.keyVault, 'kms');
    this.fn.addEnvironment(configKeys.kmsKeyId, data.key.keyArn);
    // named actions only: grantEncryptDecrypt would bring kms:ReEncrypt* and kms:GenerateDataKey*
    if (needs.kms.length > 0) data.key.grant(role, ...needs.kms.map((use) => `kms:${use}`));

    // in AWS the config asks every function for the bus (events must never fall back to a local log); putting events is up to its needs
    this.fn.addEnvironment(configKeys.eventBus, data.bus.eventBusName);
    if (needs.publishesEvents) data.bus.grantPutEventsTo(role);

    if (needs.sms) props.delivery.sms(this.fn, needs.sms);
    if (needs.email) props.delivery.email(this.fn, needs.email);

    this.fn.addEnvironment(configKeys.issuer, props.issuer);
  }
}

/** Command hooks that copy `files` (package paths, resolved from node_modules) next to the bundle. */
function copyBeside(files: readonly string[]) {
  if (files.length === 0) return {};
  const require = createRequire(import.meta.url);
  const paths = files.map((file) => require.resolve(file));
  return {
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => paths.map((path) => `cp "${path}" "${outputDir}/${basename(path)}"`),
    },
  };
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
