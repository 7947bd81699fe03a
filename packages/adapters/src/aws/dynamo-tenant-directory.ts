import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

/** The partition of the sparse `tenants` index: every tenant record is in it. */
const TENANT_LIST = 'TENANTS';
import { Policy, TenantQuota } from '@twofold/contract/schemas';
import type { SigningKeyRecord, SigningKeyStore } from '@twofold/core/login/assertions';
import type { TenantDirectory } from '@twofold/core/ports';
import type { ApiKeyRecord, TenantRecord } from '@twofold/core/records';
import { keys } from '../tables';
import { DynamoApiKeyStore } from './dynamo-api-key-store';
import { conditional } from './dynamo';

export class DynamoTenantDirectory implements TenantDirectory, SigningKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.tenant(tenantId) }));
    if (!Item) return undefined;
    return {
      tenantId: Item.tenantId,
      name: Item.name,
      createdAtMs: Item.createdAtMs,
      wrappedDataKey: Item.wrappedDataKey,
      // parsed on read, so fields added to the policy later get their defaults
      policy: Policy.parse(Item.policy ?? {}),
      ...(Item.enforcementSince ? { enforcementSince: Item.enforcementSince } : {}),
      ...(Item.quota ? { quota: TenantQuota.parse(Item.quota) } : {}),
    };
  }

  createTenant(tenant: TenantRecord): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.tenant(tenant.tenantId), ...tenant, tenantList: TENANT_LIST },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async listTenantIds(): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.db.send(
        new QueryCommand({ TableName: this.tableName, IndexName: 'tenants', KeyConditionExpression: 'tenantList = :l', ExpressionAttributeValues: { ':l': TENANT_LIST }, ProjectionExpression: 'tenantId', ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) ids.push(item.tenantId as string);
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async putPolicy(tenantId: string, policy: Policy, enforcementSince?: TenantRecord['enforcementSince']): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.tenant(tenantId),
        UpdateExpression: enforcementSince ? 'SET policy = :p, enforcementSince = :s' : 'SET policy = :p',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':p': policy, ...(enforcementSince ? { ':s': enforcementSince } : {}) },
      }),
    );
  }

  putQuota(tenantId: string, quota: TenantQuota): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({ TableName: this.tableName, Key: keys.tenant(tenantId), UpdateExpression: 'SET quota = :q', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':q': quota } }),
      ),
    );
  }

  /** A tenant's first keys (tenant:create, the local runtime), listed like any other (see DynamoApiKeyStore). */
  async putApiKey(key: ApiKeyRecord): Promise<void> {
    await new DynamoApiKeyStore(this.db, this.tableName).create(key);
  }

  async getSigningKey(): Promise<SigningKeyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.signingKey, ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = Item;
    return record as SigningKeyRecord;
  }

  createSigningKey(record: SigningKeyRecord): Promise<boolean> {
    return conditional(() =>
      this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.signingKey, ...record }, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }
}
