/**
 * Synthesizes the Twofold app for tests, without bundling (the `aws:cdk:bundling-stacks`
 * context: no esbuild run, fast), and reads what each function's role may do out of the
 * template.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import { tables, type TableName } from '@twofold/adapters/tables';
import type { LambdaFunctionName } from '../../infra/bundling';
import { readSettings } from '../../infra/settings';
import { defineTwofold } from '../../infra/twofold';

/** A deployment with every optional part: SMS, email with a configuration set, alarm email. */
export const fullSettings = {
  prefix: 'tf-test',
  issuer: 'https://2fa.acme.example',
  logRetentionDays: 30,
  api: { throttleRatePerSecond: 50, throttleBurst: 80 },
  sms: { senderId: 'Acme', monthlySpendAlarmUsd: 25 },
  email: { fromAddress: 'Acme <no-reply@acme.example>', domain: 'acme.example', configurationSet: 'twofold' },
  alarmEmail: 'ops@acme.example',
};

/**
 * `validate` runs CDK's built-in CloudFormation schema validation of the templates (about 10 s
 * on this machine): one test file does, the others need only the templates.
 */
export function synthTwofold(settings: unknown = {}, options: { validate?: boolean } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: options.validate ?? false });
  const stacks = defineTwofold(app, readSettings(settings));
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface PolicyStatementJson {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, CfnResourceJson>).filter(([, r]) => r.Type === type);

export const actionsOf = (statement: PolicyStatementJson) => [statement.Action].flat();

/** Every statement of every IAM policy in the template (policies and roles' inline policies). */
export function allStatements(template: Template): PolicyStatementJson[] {
  const documents = [
    ...resourcesOf(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties!.PolicyDocument),
    ...resourcesOf(template, 'AWS::IAM::Role').flatMap(([, r]) => ((r.Properties!.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument)),
  ] as { Statement: PolicyStatementJson[] }[];
  return documents.flatMap((d) => d.Statement);
}

/** A grant on the directory table: its actions, and the partition keys (dynamodb:LeadingKeys) and attributes it is limited to. */
export interface DirectoryGrant {
  actions: string[];
  leadingKeys: string[];
  /** dynamodb:Attributes, when the grant names them. */
  attributes?: string[];
}

/** A grant on the KMS key: its actions and the encryption context it requires. */
export interface KmsGrant {
  actions: string[];
  /** The statement's Condition, whole. */
  condition: Record<string, Record<string, unknown>> | undefined;
}

/** What one function's role may do, read from the policies attached to it. */
export interface FunctionAccess {
  /** Table → its actions, and the indexes they reach (the directory is in `directory`). */
  tables: Partial<Record<TableName, { actions: string[]; indexes: string[] }>>;
  directory: DirectoryGrant[];
  /** Grants on items of another table by their partition keys (dynamodb:LeadingKeys): the census of containers. */
  tableItems: (DirectoryGrant & { table: TableName })[];
  /** Every KMS action granted, sorted (see kmsGrants for their conditions). */
  kms: string[];
  kmsGrants: KmsGrant[];
  putEvents: boolean;
  /** Resources of sns:Publish, if any. */
  snsPublish?: unknown[];
  /** Resources of ses:SendEmail, if any. */
  sesSendEmail?: unknown[];
  /** Every action that is none of the above nor writing its own logs. */
  other: string[];
}

export function accessOf(stacks: ReturnType<typeof synthTwofold>, name: LambdaFunctionName): FunctionAccess {
  const { stateless, statelessTemplate } = stacks;
  // the data as the service reaches it (the SSM parameters' references in the stateless stack)
  const data = stateless.service.data;
  const fn = stateless.functions[name];
  const roleId = stateless.getLogicalId(fn.role!.node.defaultChild as CfnResource);
  const statements = resourcesOf(statelessTemplate, 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties!.Roles).includes(`"${roleId}"`))
    .flatMap(([, r]) => (r.Properties!.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);

  const ref = (token: string) => JSON.stringify(stateless.resolve(token));
  const access: FunctionAccess = { tables: {}, directory: [], tableItems: [], kms: [], kmsGrants: [], putEvents: false, other: [] };
  for (const statement of statements) {
    const resources = [statement.Resource].flat();
    const text = JSON.stringify(resources);
    const table = (Object.keys(tables) as TableName[]).find((t) => text.includes(ref(data.tables[t].tableArn)));
    const actions = actionsOf(statement);
    const condition = statement.Condition;
    if (table === 'directory') {
      const grant: DirectoryGrant = { actions: [...actions].sort(), leadingKeys: [...((condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[]) ?? [])].sort() };
      const attributes = condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes'] as string[] | undefined;
      if (attributes) grant.attributes = [...attributes].sort();
      access.directory.push(grant);
    } else if (table && condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) {
      access.tableItems.push({ table, actions: [...actions].sort(), leadingKeys: [...(condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'] as string[])].sort() });
    } else if (table) {
      const indexes = resources.flatMap((r) => /\/index\/([^"]+)"/.exec(JSON.stringify(r))?.[1] ?? []);
      access.tables[table] = { actions: [...actions].sort(), indexes: indexes.sort() };
    } else if (text.includes(ref(data.key.keyArn))) {
      access.kms.push(...actions);
      access.kmsGrants.push({ actions: [...actions].sort(), condition });
    } else if (text.includes(ref(data.bus.eventBusArn)) && actions.join() === 'events:PutEvents') access.putEvents = true;
    else if (actions.join() === 'sns:Publish') access.snsPublish = resources;
    else if (actions.join() === 'ses:SendEmail') access.sesSendEmail = resources;
    else if (!actions.every((a) => a === 'logs:CreateLogStream' || a === 'logs:PutLogEvents')) access.other.push(...actions);
  }
  access.kms = [...new Set(access.kms)].sort();
  return access;
}
