import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeviceStore, TrustedDevice } from '@twofold/core/ports';
import { conditional } from './dynamo';

const partition = (tenantId: string, userId: string) => `DEVICES#${tenantId}#${userId}`;
const ttlOf = (expiresAtMs: number) => Math.ceil(expiresAtMs / 1000);

/** A user's trusted devices and remembered sign-in IPs share one partition of the devices table. */
export class DynamoDeviceStore implements DeviceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(tenantId: string, userId: string, device: TrustedDevice): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: partition(tenantId, userId), sk: `DEVICE#${device.deviceId}`, ...device, ttl: ttlOf(device.expiresAtMs) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: partition(tenantId, userId), sk: `DEVICE#${deviceId}` }, ConsistentRead: true }),
    );
    return Item ? strip(Item) : undefined;
  }

  rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partition(tenantId, userId), sk: `DEVICE#${deviceId}` },
          UpdateExpression: 'SET secretHash = :new, previousSecretHash = :old, lastUsedAtMs = :now',
          ConditionExpression: 'secretHash = :old AND expiresAtMs > :now',
          ExpressionAttributeValues: { ':new': change.newHash, ':old': change.oldHash, ':now': change.nowMs },
        }),
      ),
    );
  }

  async list(tenantId: string, userId: string): Promise<TrustedDevice[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': partition(tenantId, userId), ':device': 'DEVICE#' },
        ConsistentRead: true,
      }),
    );
    return Items.map(strip).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  remove(tenantId: string, userId: string, deviceId: string): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: partition(tenantId, userId), sk: `DEVICE#${deviceId}` },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  async removeAll(tenantId: string, userId: string): Promise<number> {
    const pk = partition(tenantId, userId);
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk', ConsistentRead: true }),
    );
    for (let i = 0; i < Items.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = Items.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
      for (let tries = 0; requests?.length && tries < 5; tries++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
      if (requests?.length) throw new Error('DynamoDB left deletes unprocessed');
    }
    return Items.filter((k) => String(k.sk).startsWith('DEVICE#')).length;
  }

  async isKnownIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: partition(tenantId, userId), sk: `IP#${ipKey}` } }));
    return Item !== undefined && (Item.keepUntilMs as number) > nowMs;
  }

  async rememberIp(tenantId: string, userId: string, ipKey: string, keepUntilMs: number): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: partition(tenantId, userId), sk: `IP#${ipKey}`, keepUntilMs, ttl: ttlOf(keepUntilMs) } }),
    );
  }
}

function strip(item: Record<string, unknown>): TrustedDevice {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...device } = item;
  return device as unknown as TrustedDevice;
}
