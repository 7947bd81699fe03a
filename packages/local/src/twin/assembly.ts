/**
 * A synthesized cloud assembly (cdk.out) read as the deployment it describes: its tables, key,
 * bus, functions (asset, handler, memory, timeout, environment, role policies), routes and
 * schedules, with every CloudFormation reference resolved to the twin's local resources the way
 * CloudFormation would resolve it in one account and region. Nothing here knows Twofold's
 * constructs: it reads what any `cdk deploy` would upload.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The account and region the twin pretends to be (ARNs, the functions' AWS_REGION). */
export const TWIN_ACCOUNT = '000000000000';
export const TWIN_REGION = 'us-east-1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface TemplateResource {
  Type: string;
  Properties?: JsonObject;
  Metadata?: JsonObject;
}

interface Template {
  Resources: Record<string, TemplateResource>;
  Parameters?: Record<string, { Type: string; Default?: Json }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: JsonObject[];
}

export interface TwinTable {
  logicalId: string;
  name: string;
  arn: string;
  /** The CreateTable input CloudFormation would send (keys, attributes, indexes). */
  definition: {
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
    GlobalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]; Projection: JsonObject }[];
  };
}

export interface TwinKey {
  logicalId: string;
  keyId: string;
  arn: string;
  aliases: string[];
  policy: PolicyDocument;
}

export interface TwinFunction {
  logicalId: string;
  /** The construct's name (`verify`, `grace-expiry`), from its CDK path; the logical id otherwise. */
  name: string;
  functionName: string;
  arn: string;
  roleArn: string;
  /** The directory `cdk deploy` zips and uploads. */
  codeDirectory: string;
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  reservedConcurrency: number | undefined;
  environment: Record<string, string>;
  /** The role's identity policies, by name. */
  policies: { name: string; policy: PolicyDocument }[];
}

export interface TwinRoute {
  routeKey: string;
  functionName: string;
}

export interface TwinSchedule {
  /** The target function's name: what `POST /_local/schedules/<name>` runs. */
  name: string;
  expression: string;
  functionName: string;
  ruleArn: string;
}

export interface TwinDeployment {
  directory: string;
  tables: TwinTable[];
  keys: TwinKey[];
  buses: { name: string; arn: string }[];
  functions: TwinFunction[];
  routes: TwinRoute[];
  schedules: TwinSchedule[];
  /** Stage throttling (requests per second, burst) when the template sets it. */
  throttle: { ratePerSecond: number; burst: number } | undefined;
}

export class AssemblyUnreadable extends Error {}

interface Stack {
  name: string;
  template: Template;
}

const arn = (service: string, resource: string, region = TWIN_REGION) => `arn:aws:${service}:${region}:${TWIN_ACCOUNT}:${resource}`;

/** A key id as KMS makes them (a UUID), stable for a stack and logical id so that data outlives a restart. */
function keyIdOf(stack: string, logicalId: string): string {
  const h = createHash('sha256').update(`${stack}/${logicalId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: Json | undefined, what: string): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new AssemblyUnreadable(`${what}: expected a string, got ${JSON.stringify(v)}`);
};

export interface ReadOptions {
  /**
   * Appended to the names CloudFormation would generate (tables, functions, roles), as its random
   * suffix is: twins that share one DynamoDB engine (the test run's) keep tables of their own.
   */
  generatedNameSuffix?: string;
}

export function readAssembly(directory: string, options: ReadOptions = {}): TwinDeployment {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) throw new AssemblyUnreadable(`${directory} is not a cloud assembly (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; displayName?: string }> };
  const stacks: Stack[] = Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([id, a]) => ({ name: a.displayName ?? id, template: JSON.parse(readFileSync(join(directory, a.properties?.templateFile ?? ''), 'utf8')) as Template }));
  if (stacks.length === 0) throw new AssemblyUnreadable(`${directory} holds no stack`);
  return new Resolver(directory, stacks, options.generatedNameSuffix ?? '').deployment();
}

class Resolver {
  private readonly exports = new Map<string, { stack: Stack; value: Json }>();
  private readonly ssm = new Map<string, { stack: Stack; value: Json }>();

  constructor(
    private readonly directory: string,
    private readonly stacks: Stack[],
    private readonly suffix: string,
  ) {
    for (const stack of stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export) this.exports.set(text(this.resolve(stack, output.Export.Name), 'export name'), { stack, value: output.Value });
      }
      for (const r of Object.values(stack.template.Resources)) {
        if (r.Type === 'AWS::SSM::Parameter' && r.Properties) this.ssm.set(text(r.Properties.Name, 'parameter name'), { stack, value: r.Properties.Value ?? null });
      }
    }
  }

  deployment(): TwinDeployment {
    const tables: TwinTable[] = [];
    const keys: TwinKey[] = [];
    const buses: TwinDeployment['buses'] = [];
    const functions: TwinFunction[] = [];
    const routes: TwinRoute[] = [];
    const schedules: TwinSchedule[] = [];
    let throttle: TwinDeployment['throttle'];
    for (const stack of this.stacks) {
      const resources = Object.entries(stack.template.Resources);
      for (const [logicalId, r] of resources) {
        const p = r.Properties ?? {};
        switch (r.Type) {
          case 'AWS::DynamoDB::Table': {
            const name = this.physicalName(stack, logicalId, r);
            const gsis = Array.isArray(p.GlobalSecondaryIndexes) ? (this.resolve(stack, p.GlobalSecondaryIndexes) as TwinTable['definition']['GlobalSecondaryIndexes']) : undefined;
            tables.push({
              logicalId,
              name,
              arn: arn('dynamodb', `table/${name}`),
              definition: {
                KeySchema: this.resolve(stack, p.KeySchema ?? []) as TwinTable['definition']['KeySchema'],
                AttributeDefinitions: this.resolve(stack, p.AttributeDefinitions ?? []) as TwinTable['definition']['AttributeDefinitions'],
                ...(gsis ? { GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) } : {}),
              },
            });
            break;
          }
          case 'AWS::KMS::Key': {
            const keyId = keyIdOf(stack.name, logicalId);
            const aliases = resources
              .filter(([, a]) => a.Type === 'AWS::KMS::Alias' && [keyId, arn('kms', `key/${keyId}`)].includes(String(this.resolve(stack, a.Properties?.TargetKeyId ?? null))))
              .map(([, a]) => text(a.Properties?.AliasName, 'alias name'));
            keys.push({ logicalId, keyId, arn: arn('kms', `key/${keyId}`), aliases, policy: this.resolve(stack, p.KeyPolicy ?? { Statement: [] }) as unknown as PolicyDocument });
            break;
          }
          case 'AWS::Events::EventBus': {
            const name = text(this.resolve(stack, p.Name ?? null), 'bus name');
            buses.push({ name, arn: arn('events', `event-bus/${name}`) });
            break;
          }
          case 'AWS::Lambda::Function':
            functions.push(this.lambdaFunction(stack, logicalId, r));
            break;
          case 'AWS::ApiGatewayV2::Route': {
            const target = text(this.resolve(stack, p.Target ?? null), 'route target');
            const integration = stack.template.Resources[target.replace(/^integrations\//, '')];
            if (!integration) throw new AssemblyUnreadable(`route ${text(p.RouteKey, 'route key')}: no integration ${target}`);
            routes.push({ routeKey: text(p.RouteKey, 'route key'), functionName: this.functionNameOfArn(text(this.resolve(stack, integration.Properties?.IntegrationUri ?? null), 'integration uri')) });
            break;
          }
          case 'AWS::ApiGatewayV2::Stage': {
            const settings = p.DefaultRouteSettings;
            if (isObject(settings) && typeof settings.ThrottlingRateLimit === 'number') {
              throttle = { ratePerSecond: settings.ThrottlingRateLimit, burst: typeof settings.ThrottlingBurstLimit === 'number' ? settings.ThrottlingBurstLimit : settings.ThrottlingRateLimit };
            }
            break;
          }
          case 'AWS::Events::Rule': {
            if (typeof p.ScheduleExpression !== 'string' || p.State === 'DISABLED') break;
            for (const target of Array.isArray(p.Targets) ? p.Targets : []) {
              if (!isObject(target)) continue;
              const functionName = this.functionNameOfArn(text(this.resolve(stack, target.Arn ?? null), 'rule target'));
              schedules.push({ name: functionName, expression: p.ScheduleExpression, functionName, ruleArn: this.attribute(stack, logicalId, 'Arn') });
            }
            break;
          }
          default:
        }
      }
    }
    // a schedule is named by its function's construct name (grace-expiry), as npm start names them
    const byName = new Map(functions.map((f) => [f.functionName, f.name]));
    for (const s of schedules) s.name = byName.get(s.functionName) ?? s.functionName;
    for (const f of functions) f.policies = this.policiesOf(f.roleArn);
    return { directory: this.directory, tables, keys, buses, functions, routes, schedules, throttle };
  }

  private lambdaFunction(stack: Stack, logicalId: string, r: TemplateResource): TwinFunction {
    const p = r.Properties ?? {};
    const functionName = this.physicalName(stack, logicalId, r);
    const assetPath = r.Metadata?.['aws:asset:path'];
    const s3Key = isObject(p.Code) ? p.Code.S3Key : undefined;
    const asset = typeof assetPath === 'string' ? assetPath : typeof s3Key === 'string' ? `asset.${s3Key.replace(/\.zip$/, '')}` : undefined;
    if (!asset) throw new AssemblyUnreadable(`function ${logicalId}: no asset (inline code is not run by the twin)`);
    const cdkPath = typeof r.Metadata?.['aws:cdk:path'] === 'string' ? r.Metadata['aws:cdk:path'].split('/') : [];
    const at = cdkPath.lastIndexOf('Function');
    const variables = isObject(p.Environment) && isObject(p.Environment.Variables) ? p.Environment.Variables : {};
    return {
      logicalId,
      name: at > 0 ? (cdkPath[at - 1] ?? logicalId) : logicalId,
      functionName,
      arn: arn('lambda', `function:${functionName}`),
      roleArn: text(this.resolve(stack, p.Role ?? null), `function ${logicalId} role`),
      codeDirectory: join(this.directory, asset),
      handler: text(p.Handler ?? 'index.handler', 'handler'),
      memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
      timeoutSeconds: typeof p.Timeout === 'number' ? p.Timeout : 3,
      reservedConcurrency: typeof p.ReservedConcurrentExecutions === 'number' ? p.ReservedConcurrentExecutions : undefined,
      environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, text(this.resolve(stack, v), `${logicalId} environment ${k}`)])),
      policies: [],
    };
  }

  /** Identity policies of a role: its inline policies and the AWS::IAM::Policy resources that name it. */
  private policiesOf(roleArn: string): TwinFunction['policies'] {
    const out: TwinFunction['policies'] = [];
    for (const stack of this.stacks) {
      for (const [logicalId, r] of Object.entries(stack.template.Resources)) {
        const p = r.Properties ?? {};
        if (r.Type === 'AWS::IAM::Role' && this.attribute(stack, logicalId, 'Arn') === roleArn) {
          for (const inline of Array.isArray(p.Policies) ? p.Policies : []) {
            if (isObject(inline)) out.push({ name: text(inline.PolicyName ?? logicalId, 'policy name'), policy: this.resolve(stack, inline.PolicyDocument ?? null) as unknown as PolicyDocument });
          }
          if (Array.isArray(p.ManagedPolicyArns) && p.ManagedPolicyArns.length > 0) throw new AssemblyUnreadable(`role ${logicalId}: managed policies are not evaluated by the twin`);
        }
        if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::RolePolicy') && p.PolicyDocument) {
          const roles = r.Type === 'AWS::IAM::Policy' ? (Array.isArray(p.Roles) ? p.Roles : []) : [p.RoleName ?? null];
          const names = roles.map((role) => this.resolve(stack, role));
          if (names.some((n) => typeof n === 'string' && roleArn === arn('iam', `role/${n}`, ''))) {
            out.push({ name: text(p.PolicyName ?? logicalId, 'policy name'), policy: this.resolve(stack, p.PolicyDocument) as unknown as PolicyDocument });
          }
        }
      }
    }
    return out;
  }

  private functionNameOfArn(value: string): string {
    const m = /:function:([^:/]+)/.exec(value);
    if (!m?.[1]) throw new AssemblyUnreadable(`not a function ARN: ${value}`);
    return m[1];
  }

  private physicalName(stack: Stack, logicalId: string, r: TemplateResource): string {
    const p = r.Properties ?? {};
    const given = { 'AWS::DynamoDB::Table': p.TableName, 'AWS::Lambda::Function': p.FunctionName, 'AWS::IAM::Role': p.RoleName, 'AWS::Events::EventBus': p.Name, 'AWS::Events::Rule': p.Name, 'AWS::SNS::Topic': p.TopicName, 'AWS::SQS::Queue': p.QueueName, 'AWS::Logs::LogGroup': p.LogGroupName }[r.Type];
    if (given !== undefined && given !== null) return text(this.resolve(stack, given), `${logicalId} name`);
    // CloudFormation's generated names: <stack>-<logical id>-<suffix>; the twin's are stable
    return `${stack.name}-${logicalId}`.slice(0, 64 - this.suffix.length) + this.suffix;
  }

  private resource(stack: Stack, logicalId: string): TemplateResource {
    const r = stack.template.Resources[logicalId];
    if (!r) throw new AssemblyUnreadable(`${stack.name}: no resource ${logicalId}`);
    return r;
  }

  /** What `Ref` gives for a resource of this type. */
  private ref(stack: Stack, logicalId: string): string {
    const param = stack.template.Parameters?.[logicalId];
    if (param) {
      if (param.Type.startsWith('AWS::SSM::Parameter::Value')) {
        const name = text(param.Default ?? null, `parameter ${logicalId}`);
        const found = this.ssm.get(name);
        if (!found) throw new AssemblyUnreadable(`SSM parameter ${name} is made by no stack of the assembly`);
        return text(this.resolve(found.stack, found.value), `SSM parameter ${name}`);
      }
      return text(param.Default ?? null, `parameter ${logicalId}`);
    }
    const r = this.resource(stack, logicalId);
    switch (r.Type) {
      case 'AWS::KMS::Key':
        return keyIdOf(stack.name, logicalId);
      case 'AWS::SNS::Topic':
        return arn('sns', this.physicalName(stack, logicalId, r));
      case 'AWS::SQS::Queue':
        return `https://sqs.${TWIN_REGION}.amazonaws.com/${TWIN_ACCOUNT}/${this.physicalName(stack, logicalId, r)}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::Lambda::Function':
      case 'AWS::IAM::Role':
      case 'AWS::Events::EventBus':
      case 'AWS::Events::Rule':
      case 'AWS::Logs::LogGroup':
        return this.physicalName(stack, logicalId, r);
      default:
        return logicalId;
    }
  }

  private attribute(stack: Stack, logicalId: string, attribute: string): string {
    const r = this.resource(stack, logicalId);
    const name = () => this.physicalName(stack, logicalId, r);
    if (attribute !== 'Arn') {
      if (r.Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return name();
      if (r.Type === 'AWS::SNS::Topic' && attribute === 'TopicName') return name();
      if (r.Type === 'AWS::Events::EventBus' && attribute === 'Name') return name();
      if (r.Type === 'AWS::KMS::Key' && attribute === 'KeyId') return keyIdOf(stack.name, logicalId);
      throw new AssemblyUnreadable(`${logicalId}: attribute ${attribute} of ${r.Type} is not known to the twin`);
    }
    switch (r.Type) {
      case 'AWS::DynamoDB::Table':
        return arn('dynamodb', `table/${name()}`);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${keyIdOf(stack.name, logicalId)}`);
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${name()}`);
      case 'AWS::Events::Rule':
        return arn('events', `rule/${name()}`);
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name()}`);
      case 'AWS::IAM::Role':
        return arn('iam', `role/${name()}`, '');
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name()}:*`);
      case 'AWS::SQS::Queue':
        return arn('sqs', name());
      case 'AWS::SNS::Topic':
        return arn('sns', name());
      default:
        return arn(r.Type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId);
    }
  }

  private pseudo(name: string): string | undefined {
    return { 'AWS::Partition': 'aws', 'AWS::Region': TWIN_REGION, 'AWS::AccountId': TWIN_ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::NoValue': undefined }[name];
  }

  resolve(stack: Stack, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn] ?? null;
      switch (fn) {
        case 'Ref': {
          const name = text(arg, 'Ref');
          if (name === 'AWS::StackName') return stack.name;
          return this.pseudo(name) ?? this.ref(stack, name);
        }
        case 'Fn::GetAtt': {
          const [id, att] = Array.isArray(arg) ? arg : text(arg, 'Fn::GetAtt').split('.');
          return this.attribute(stack, text(id ?? null, 'Fn::GetAtt'), text(att ?? null, 'Fn::GetAtt'));
        }
        case 'Fn::Join': {
          const [sep, parts] = Array.isArray(arg) ? arg : [];
          const resolved = this.resolve(stack, parts ?? []);
          return (Array.isArray(resolved) ? resolved : []).map((p) => text(p, 'Fn::Join')).join(text(sep ?? '', 'Fn::Join'));
        }
        case 'Fn::Sub': {
          const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
          const locals = isObject(vars ?? null) ? (vars as JsonObject) : {};
          return text(template ?? null, 'Fn::Sub').replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
            if (name in locals) return text(this.resolve(stack, locals[name] ?? null), 'Fn::Sub');
            const [id, att] = name.split('.');
            if (att && id) return this.attribute(stack, id, att);
            return name === 'AWS::StackName' ? stack.name : (this.pseudo(name) ?? this.ref(stack, name));
          });
        }
        case 'Fn::Select': {
          const [index, list] = Array.isArray(arg) ? arg : [];
          const resolved = this.resolve(stack, list ?? []);
          return Array.isArray(resolved) ? (resolved[Number(index)] ?? null) : null;
        }
        case 'Fn::Split': {
          const [sep, source] = Array.isArray(arg) ? arg : [];
          return text(this.resolve(stack, source ?? ''), 'Fn::Split').split(text(sep ?? '', 'Fn::Split'));
        }
        case 'Fn::ImportValue': {
          const name = text(this.resolve(stack, arg), 'Fn::ImportValue');
          const found = this.exports.get(name);
          if (!found) throw new AssemblyUnreadable(`export ${name} is made by no stack of the assembly`);
          return this.resolve(found.stack, found.value);
        }
        default:
          if (fn.startsWith('Fn::')) throw new AssemblyUnreadable(`${fn} is not resolved by the twin`);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
  }
}
