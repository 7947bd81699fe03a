import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeviceStore, TrustedDevice } from '@twofold/core/ports';
import { conditional } from './dynamo';

const partition = (tenantId: string, userId: string) => `DEVICES#${tenantId}#${userId}`;
const ttlOf = (expiresAtMs: number) => Math.ceil(expiresAtMs / 1000);

/** Item keys and items of the devices table, for a user change's transaction too. */
export const deviceItems = {
  deviceKey: (tenantId: string, userId: string, deviceId: string) => ({ pk: partition(tenantId, userId), sk: `DEVICE#${deviceId}` }),
  ipKey: (tenantId: string, userId: string, ipKey: string) => ({ pk: partition(tenantId, userId), sk: `IP#${ipKey}` }),
  device: (tenantId: string, userId: string, device: TrustedDevice) => ({ ...deviceItems.deviceKey(tenantId, userId, device.deviceId), ...device, ttl: ttlOf(device.expiresAtMs) }),
  ip: (tenantId: string, userId: string, ipKey: string, keepUntilMs: number) => ({ ...deviceItems.ipKey(tenantId, userId, ipKey), keepUntilMs, ttl: ttlOf(keepUntilMs) }),
};

/** A user's trusted devices and remembered sign-in IPs share one partition of the devices table. */
export class DynamoDeviceStore implements DeviceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: deviceItems.deviceKey(tenantId, userId, deviceId), ConsistentRead: true }),
    );
    return Item ? strip(Item) : undefined;
  }

  rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deviceItems.deviceKey(tenantId, userId, deviceId),
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

  async ipKeys(tenantId: string, userId: string): Promise<string[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ip)',
        ExpressionAttributeValues: { ':pk': partition(tenantId, userId), ':ip': 'IP#' },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
      }),
    );
    return Items.map((item) => String(item.sk).slice('IP#'.length));
  }

  async isKnownIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deviceItems.ipKey(tenantId, userId, ipKey) }));
    return Item !== undefined && (Item.keepUntilMs as number) > nowMs;
  }

}

function strip(item: Record<string, unknown>): TrustedDevice {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...device } = item;
  return device as unknown as TrustedDevice;
}
