import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeviceStore, RememberedIp, TrustedDevice } from '@twofold/core/ports';
import { conditional } from './dynamo';

const partition = (tenantId: string, userId: string) => `DEVICES#${tenantId}#${userId}`;
const ttlOf = (expiresAtMs: number) => Math.ceil(expiresAtMs / 1000);

/** Item keys and items of the devices table, for a user change's transaction too. */
export const deviceItems = {
  deviceKey: (tenantId: string, userId: string, deviceId: string) => ({ pk: partition(tenantId, userId), sk: `DEVICE#${deviceId}` }),
  ipKey: (tenantId: string, userId: string, ipKey: string) => ({ pk: partition(tenantId, userId), sk: `IP#${ipKey}` }),
  device: (tenantId: string, userId: string, device: TrustedDevice) => ({ ...deviceItems.deviceKey(tenantId, userId, device.deviceId), ...device, ttl: ttlOf(device.expiresAtMs) }),
  /** A remembered IP, as the Update of a transaction: kept until the latest device's trust ends, with every device learnt from it. */
  rememberIp: (tenantId: string, userId: string, ip: { ipKey: string; keepUntilMs: number; deviceId: string }) => ({
    Key: deviceItems.ipKey(tenantId, userId, ip.ipKey),
    UpdateExpression: 'SET keepUntilMs = :keep, #ttl = :ttl ADD deviceIds :device',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':keep': ip.keepUntilMs, ':ttl': ttlOf(ip.keepUntilMs), ':device': new Set([ip.deviceId]) },
  }),
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

  async ipKeys(tenantId: string, userId: string): Promise<RememberedIp[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ip)',
        ExpressionAttributeValues: { ':pk': partition(tenantId, userId), ':ip': 'IP#' },
        ProjectionExpression: 'sk, deviceIds',
        ConsistentRead: true,
      }),
    );
    return Items.map((item) => ({ ipKey: String(item.sk).slice('IP#'.length), deviceIds: deviceIdsOf(item) }));
  }

  async devicesOfIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<string[]> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deviceItems.ipKey(tenantId, userId, ipKey) }));
    return Item !== undefined && (Item.keepUntilMs as number) > nowMs ? deviceIdsOf(Item) : [];
  }

}

/** The devices an IP was learnt with (none for an IP remembered before they were recorded: it no longer counts). */
const deviceIdsOf = (item: Record<string, unknown>): string[] => (item.deviceIds instanceof Set ? [...(item.deviceIds as Set<string>)] : []);

function strip(item: Record<string, unknown>): TrustedDevice {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...device } = item;
  return device as unknown as TrustedDevice;
}
