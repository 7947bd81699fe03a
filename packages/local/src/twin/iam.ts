/**
 * IAM on every AWS call a function makes in the twin: each request is turned into the
 * authorization requests AWS would make of it (action, resource ARN, the condition keys AWS sets:
 * `dynamodb:LeadingKeys`, `dynamodb:Attributes`, `dynamodb:ReturnValues`, `kms:EncryptionContext:<k>`,
 * `kms:EncryptionContextKeys`, `events:source`, `ses:FromAddress`, ...) and evaluated with
 * @cloud-copilot/iam-simulate against the function's role policies from the template and, for
 * KMS, the key policy as the resource policy. The evaluator is AGPL-3.0: a devDependency of the
 * twin only, never bundled into a function (patches/ holds the fix for `kms:EncryptionContext:<key>`).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { TWIN_ACCOUNT, TWIN_REGION, type PolicyDocument, type TwinTable } from './assembly';

export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

export interface Denial {
  request: AuthorizationRequest;
  result: string;
}

export interface Principal {
  /** The role's ARN: the principal of the function's calls. */
  arn: string;
  policies: { name: string; policy: PolicyDocument }[];
}

/** Evaluates each request; the first that is not allowed, or undefined when all are. */
export async function firstDenial(principal: Principal, requests: AuthorizationRequest[], resourcePolicyOf: (resource: string) => PolicyDocument | undefined): Promise<Denial | undefined> {
  for (const request of requests) {
    const resourcePolicy = resourcePolicyOf(request.resource);
    const outcome = await runSimulation(
      {
        request: { principal: principal.arn, action: request.action, resource: { resource: request.resource, accountId: TWIN_ACCOUNT }, contextVariables: request.context },
        identityPolicies: principal.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    const result = outcome.resultType === 'error' ? `error: ${outcome.errors.message}` : outcome.overallResult;
    if (result !== 'Allowed') return { request, result };
  }
  return undefined;
}

// ---- DynamoDB: what AWS authorizes for each operation -----------------------------------------

type AttributeValue = { S?: string; N?: string; B?: string };
type Item = Record<string, AttributeValue>;
interface Expressions {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

const KEYWORDS = new Set(['set', 'remove', 'add', 'delete', 'and', 'or', 'not', 'between', 'in', 'if_not_exists', 'list_append', 'attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);

const valueOf = (v: AttributeValue | undefined) => v?.S ?? v?.N ?? v?.B;

/** The top-level attribute names an expression names (`#a.b[0]` names `a`). */
function attributesIn(expression: string | undefined, names: Record<string, string> = {}): string[] {
  if (!expression) return [];
  const out: string[] = [];
  const token = /([.:]?)(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g;
  for (const m of expression.matchAll(token)) {
    const [, before, name, call] = m;
    if (before || call || !name || KEYWORDS.has(name.toLowerCase())) continue;
    out.push(name.startsWith('#') ? (names[name] ?? name) : name);
  }
  return out;
}

/** The partition key value a key condition fixes (`#pk = :v`, or the older KeyConditions). */
function partitionValueOfQuery(input: Record<string, unknown> & Expressions, partitionKey: string): string | undefined {
  const legacy = (input.KeyConditions as Record<string, { AttributeValueList?: AttributeValue[] }> | undefined)?.[partitionKey];
  if (legacy) return valueOf(legacy.AttributeValueList?.[0]);
  const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  const names = input.ExpressionAttributeNames ?? {};
  for (const m of expression.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\s*=\s*(#?[A-Za-z0-9_]+)/g)) {
    const attr = m[1] ?? m[4] ?? '';
    const placeholder = m[2] ?? m[3] ?? '';
    if ((names[attr] ?? attr) === partitionKey) return valueOf(input.ExpressionAttributeValues?.[placeholder]);
  }
  return undefined;
}

export class DynamoAuthorization {
  constructor(private readonly tables: TwinTable[]) {}

  private table(name: unknown): TwinTable {
    const table = this.tables.find((t) => t.name === name || t.arn === name);
    if (!table) throw new Error(`no table ${String(name)}`);
    return table;
  }

  private partitionKeyOf(table: TwinTable, indexName?: string): string {
    const schema = indexName ? table.definition.GlobalSecondaryIndexes?.find((g) => g.IndexName === indexName)?.KeySchema : table.definition.KeySchema;
    return schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
  }

  private keyNames(table: TwinTable): string[] {
    return table.definition.KeySchema.map((k) => k.AttributeName);
  }

  private itemRequest(action: string, input: Record<string, unknown> & Expressions, key: Item | undefined, extraAttributes: string[] = []): AuthorizationRequest {
    const table = this.table(input.TableName);
    const leading = valueOf(key?.[this.partitionKeyOf(table)]);
    const names = input.ExpressionAttributeNames ?? {};
    const attributes = [
      ...extraAttributes,
      ...attributesIn(typeof input.UpdateExpression === 'string' ? input.UpdateExpression : undefined, names),
      ...attributesIn(typeof input.ProjectionExpression === 'string' ? input.ProjectionExpression : undefined, names),
      ...(Array.isArray(input.AttributesToGet) ? input.AttributesToGet.map(String) : []),
    ];
    const context: Record<string, string | string[]> = {};
    if (leading !== undefined) context['dynamodb:LeadingKeys'] = [leading];
    if (attributes.length > 0) context['dynamodb:Attributes'] = [...new Set([...(action === 'dynamodb:GetItem' ? [] : this.keyNames(table)), ...attributes])];
    if (typeof input.ReturnValues === 'string') context['dynamodb:ReturnValues'] = input.ReturnValues;
    if (typeof input.Select === 'string') context['dynamodb:Select'] = input.Select;
    return { action, resource: table.arn, context };
  }

  /** The requests AWS authorizes for one DynamoDB call. */
  requestsOf(operation: string, input: Record<string, unknown> & Expressions): AuthorizationRequest[] {
    const keyOf = (i: Record<string, unknown>) => (i.Key ?? undefined) as Item | undefined;
    switch (operation) {
      case 'GetItem':
      case 'DeleteItem':
      case 'UpdateItem':
        return [this.itemRequest(`dynamodb:${operation}`, input, keyOf(input))];
      case 'PutItem': {
        const item = (input.Item ?? {}) as Item;
        return [this.itemRequest('dynamodb:PutItem', input, item, Object.keys(item))];
      }
      case 'Query':
      case 'Scan': {
        const table = this.table(input.TableName);
        const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
        const context: Record<string, string | string[]> = {};
        if (operation === 'Query') {
          const leading = partitionValueOfQuery(input, this.partitionKeyOf(table, index));
          if (leading !== undefined) context['dynamodb:LeadingKeys'] = [leading];
        }
        if (typeof input.Select === 'string') context['dynamodb:Select'] = input.Select;
        const attributes = attributesIn(typeof input.ProjectionExpression === 'string' ? input.ProjectionExpression : undefined, input.ExpressionAttributeNames);
        if (attributes.length > 0) context['dynamodb:Attributes'] = attributes;
        return [{ action: `dynamodb:${operation}`, resource: index ? `${table.arn}/index/${index}` : table.arn, context }];
      }
      case 'BatchGetItem':
      case 'BatchWriteItem': {
        const requestItems = (input.RequestItems ?? {}) as Record<string, unknown>;
        return Object.entries(requestItems).map(([tableName, spec]) => {
          const table = this.table(tableName);
          const pk = this.partitionKeyOf(table);
          const items: Item[] =
            operation === 'BatchGetItem'
              ? (((spec as { Keys?: Item[] }).Keys ?? []) as Item[])
              : ((spec ?? []) as { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]).map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key ?? {});
          const leading = [...new Set(items.map((i) => valueOf(i[pk])).filter((v): v is string => v !== undefined))];
          const context: Record<string, string | string[]> = leading.length ? { 'dynamodb:LeadingKeys': leading } : {};
          return { action: `dynamodb:${operation}`, resource: table.arn, context };
        });
      }
      case 'TransactWriteItems':
        return ((input.TransactItems ?? []) as Record<string, Record<string, unknown> & Expressions>[]).flatMap((element) => {
          if (element.Put) return [this.itemRequest('dynamodb:PutItem', element.Put, (element.Put.Item ?? {}) as Item, Object.keys(element.Put.Item ?? {}))];
          if (element.Update) return [this.itemRequest('dynamodb:UpdateItem', element.Update, keyOf(element.Update))];
          if (element.Delete) return [this.itemRequest('dynamodb:DeleteItem', element.Delete, keyOf(element.Delete))];
          if (element.ConditionCheck) return [this.itemRequest('dynamodb:ConditionCheckItem', element.ConditionCheck, keyOf(element.ConditionCheck))];
          return [];
        });
      case 'TransactGetItems':
        return ((input.TransactItems ?? []) as { Get?: Record<string, unknown> & Expressions }[]).flatMap((element) => (element.Get ? [this.itemRequest('dynamodb:GetItem', element.Get, keyOf(element.Get))] : []));
      case 'DescribeTable':
      case 'CreateTable':
      case 'DeleteTable':
      case 'UpdateTable':
        return [{ action: `dynamodb:${operation}`, resource: this.table(input.TableName).arn, context: {} }];
      default:
        return [{ action: `dynamodb:${operation}`, resource: '*', context: {} }];
    }
  }
}

// ---- KMS, EventBridge, SNS, SES, Secrets Manager ----------------------------------------------

export function kmsRequest(operation: string, keyArn: string, input: Record<string, unknown>): AuthorizationRequest {
  const context: Record<string, string | string[]> = { 'kms:CallerAccount': TWIN_ACCOUNT };
  const encryptionContext = (input.EncryptionContext ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(encryptionContext)) context[`kms:EncryptionContext:${k}`] = v;
  if (Object.keys(encryptionContext).length > 0) context['kms:EncryptionContextKeys'] = Object.keys(encryptionContext);
  return { action: `kms:${operation}`, resource: keyArn, context };
}

export function eventsRequests(entries: { EventBusName?: string; Source?: string; DetailType?: string }[]): AuthorizationRequest[] {
  return entries.map((e) => {
    const bus = e.EventBusName ?? 'default';
    return {
      action: 'events:PutEvents',
      resource: bus.startsWith('arn:') ? bus : `arn:aws:events:${TWIN_REGION}:${TWIN_ACCOUNT}:event-bus/${bus}`,
      context: { ...(e.Source ? { 'events:source': e.Source } : {}), ...(e.DetailType ? { 'events:detail-type': e.DetailType } : {}) },
    };
  });
}

export function snsPublishRequest(input: { TopicArn?: string; TargetArn?: string; PhoneNumber?: string }): AuthorizationRequest {
  // a text to a phone number is published to no topic: IAM sees it on "*"
  return { action: 'sns:Publish', resource: input.TopicArn ?? input.TargetArn ?? '*', context: {} };
}

/** The address in `Name <address>` or a bare address. */
export const addressOf = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

/** SES authorizes a send on the identity that sends it (the address's, or its domain's) and on its configuration set. */
export function sesSendRequests(input: { FromEmailAddress?: string; FromEmailAddressIdentityArn?: string; ConfigurationSetName?: string; Destination?: { ToAddresses?: string[] } }): { identities: AuthorizationRequest[]; configurationSet?: AuthorizationRequest } {
  const address = addressOf(input.FromEmailAddress ?? '');
  const context: Record<string, string | string[]> = { 'ses:FromAddress': address, 'ses:ApiVersion': '2', ...(input.Destination?.ToAddresses ? { 'ses:Recipients': input.Destination.ToAddresses } : {}) };
  const identityArn = (identity: string) => `arn:aws:ses:${TWIN_REGION}:${TWIN_ACCOUNT}:identity/${identity}`;
  const identities = input.FromEmailAddressIdentityArn
    ? [{ action: 'ses:SendEmail', resource: input.FromEmailAddressIdentityArn, context }]
    : [address, address.split('@')[1] ?? address].map((identity) => ({ action: 'ses:SendEmail', resource: identityArn(identity), context }));
  return {
    identities,
    ...(input.ConfigurationSetName ? { configurationSet: { action: 'ses:SendEmail', resource: `arn:aws:ses:${TWIN_REGION}:${TWIN_ACCOUNT}:configuration-set/${input.ConfigurationSetName}`, context } } : {}),
  };
}

export function secretsRequest(operation: string, secretId: string): AuthorizationRequest {
  return { action: `secretsmanager:${operation}`, resource: secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${TWIN_REGION}:${TWIN_ACCOUNT}:secret:${secretId}`, context: {} };
}
