/**
 * API keys in the directory table, three kinds of item:
 *
 * - `APIKEY#<keyId>` / `APIKEY`: what authenticates a request (tenant, scope, secret hash, name);
 *   one GetItem by the key id that every request's key carries.
 * - `TENANT#<tenantId>` / `APIKEYS`: the tenant's list of keys (an attribute `key_<keyId>` each,
 *   with name, scope and creation time) and the set of its admin key ids. Listing is one
 *   strongly consistent GetItem; revoking an admin key removes it from the set with a write
 *   conditional on another one staying, so racing revocations cannot remove the last one.
 * - `KEYUSE#<tenantId>` / `<keyId>`: when the key was last used, apart from the key's own item so
 *   that the functions which record uses need no write access to what authenticates.
 *
 * Without transactions (dynalite has none) each change is ordered so that a failure half-way
 * leaves nothing that works unseen: a new key is written before it is listed (a key never shown
 * to anyone may be left unlisted), and a revoked key is unlisted before its record goes (a retry
 * of the revocation finds the record by the tenant and deletes it).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyEntry, ApiKeyStore, RevokeOutcome } from '@twofold/core/tenancy/api-keys';
import type { ApiKeyRecord } from '@twofold/core/records';
import { keys } from '../tables';
import { conditional } from './dynamo';

const listKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'APIKEYS' });
const usagePartition = (tenantId: string) => `KEYUSE#${tenantId}`;
const attributeOf = (keyId: string) => `key_${keyId}`;

interface Listed {
  name: string;
  scope: ApiKeyRecord['scope'];
  createdAtMs: number;
}

export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyId) }));
    return Item ? { keyId: Item.keyId, tenantId: Item.tenantId, scope: Item.scope, name: Item.name ?? Item.keyId, secretHash: Item.secretHash, createdAtMs: Item.createdAtMs } : undefined;
  }

  async create(key: ApiKeyRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.apiKey(key.keyId), ...key }, ConditionExpression: 'attribute_not_exists(pk)' }));
    const listed: Listed = { name: key.name, scope: key.scope, createdAtMs: key.createdAtMs };
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: listKey(key.tenantId),
        UpdateExpression: key.scope === 'admin' ? 'SET #k = :listed ADD adminKeyIds :ids' : 'SET #k = :listed',
        ExpressionAttributeNames: { '#k': attributeOf(key.keyId) },
        ExpressionAttributeValues: { ':listed': listed, ...(key.scope === 'admin' ? { ':ids': new Set([key.keyId]) } : {}) },
      }),
    );
  }

  async list(tenantId: string): Promise<ApiKeyEntry[]> {
    const [{ Item }, used] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tableName, Key: listKey(tenantId), ConsistentRead: true })),
      this.lastUses(tenantId),
    ]);
    return Object.entries(Item ?? {})
      .filter(([name]) => name.startsWith('key_'))
      .map(([name, value]) => {
        const keyId = name.slice('key_'.length);
        const listed = value as Listed;
        return { keyId, name: listed.name, scope: listed.scope, createdAtMs: listed.createdAtMs, lastUsedAtMs: used.get(keyId) ?? null };
      });
  }

  async revoke(tenantId: string, keyId: string): Promise<RevokeOutcome> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: listKey(tenantId), ConsistentRead: true }));
    const listed = Item?.[attributeOf(keyId)] as Listed | undefined;
    if (listed) {
      const names = { '#k': attributeOf(keyId) };
      const unlisted =
        listed.scope === 'admin'
          ? await conditional(() =>
              this.db.send(
                new UpdateCommand({
                  TableName: this.tableName,
                  Key: listKey(tenantId),
                  UpdateExpression: 'REMOVE #k DELETE adminKeyIds :ids',
                  // another admin key must stay: the set holds this one and at least one more
                  ConditionExpression: 'attribute_exists(#k) AND contains(adminKeyIds, :id) AND size(adminKeyIds) > :one',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: { ':ids': new Set([keyId]), ':id': keyId, ':one': 1 },
                }),
              ),
            )
          : await conditional(() =>
              this.db.send(new UpdateCommand({ TableName: this.tableName, Key: listKey(tenantId), UpdateExpression: 'REMOVE #k', ConditionExpression: 'attribute_exists(#k)', ExpressionAttributeNames: names })),
            );
      // the condition failed: either it is the last admin key, or a racing revocation took it first
      if (!unlisted && (await this.isListed(tenantId, keyId))) return 'last_admin_key';
    }
    // the record that authenticates goes last, and only the tenant's own
    const deleted = await conditional(() =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.apiKey(keyId), ConditionExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': tenantId } })),
    );
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: usagePartition(tenantId), sk: keyId } }));
    return listed || deleted ? 'revoked' : 'not_found';
  }

  async touch(tenantId: string, keyId: string, nowMs: number, minIntervalMs: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: usagePartition(tenantId), sk: keyId },
          UpdateExpression: 'SET lastUsedAtMs = :now',
          ConditionExpression: 'attribute_not_exists(lastUsedAtMs) OR lastUsedAtMs <= :before',
          ExpressionAttributeValues: { ':now': nowMs, ':before': nowMs - minIntervalMs },
        }),
      ),
    );
  }

  private async isListed(tenantId: string, keyId: string): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: listKey(tenantId), ConsistentRead: true }));
    return Item?.[attributeOf(keyId)] !== undefined;
  }

  private async lastUses(tenantId: string): Promise<Map<string, number>> {
    const used = new Map<string, number>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': usagePartition(tenantId) }, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) used.set(item.sk as string, item.lastUsedAtMs as number);
      start = page.LastEvaluatedKey;
    } while (start);
    return used;
  }
}
