import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecurityEvent } from '@twofold/contract/events';
import type { EventOutbox } from '@twofold/core/ports';
import { conditional, decodeCursor, encodeCursor, isConditionFailure } from './dynamo';

const PENDING = 'PENDING';
const partition = (tenantId: string) => `EVENTS#${tenantId}`;
const sortKey = (e: SecurityEvent) => `${e.at}#${e.eventId}`;

/** An event as the events table keeps it, pending until published (also written inside a user change's transaction). */
export function eventItem(e: SecurityEvent, retentionDays = DEFAULT_RETENTION_DAYS): Record<string, unknown> {
  const expiresAtEpoch = Math.ceil(Date.parse(e.at) / 1000) + retentionDays * 86_400;
  return { pk: partition(e.tenantId), sk: sortKey(e), ...(e.userId === null ? {} : { tenantUser: `${e.tenantId}#${e.userId}` }), pending: PENDING, expiresAtEpoch, ...e };
}

/** The policy's default auditRetentionDays, for events written where the tenant's policy is not at hand. */
const DEFAULT_RETENTION_DAYS = 365;

/**
 * Events in the events table, a partition per tenant sorted by time (the audit trail). An event
 * still to publish carries `pending`, which puts it in the sparse `pending` index the relay
 * reads; publishing removes the attribute. `tenantUser` feeds the per-user index.
 */
export class DynamoEventOutbox implements EventOutbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(events: SecurityEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = events.slice(i, i + 25).map((e) => ({ PutRequest: { Item: eventItem(e) } }));
      for (let tries = 0; requests?.length && tries < 5; tries++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
      if (requests?.length) throw new Error('DynamoDB left event writes unprocessed');
    }
  }

  async recordOnce(event: SecurityEvent): Promise<boolean> {
    return conditional(() => this.db.send(new PutCommand({ TableName: this.tableName, Item: eventItem(event), ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async eraseUser(tenantId: string, userId: string, keep: string[]): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'by-user',
          KeyConditionExpression: 'tenantUser = :k',
          ExpressionAttributeValues: { ':k': `${tenantId}#${userId}` },
          ProjectionExpression: 'pk, sk, #type',
          ExpressionAttributeNames: { '#type': 'type' },
          ExclusiveStartKey: start,
        }),
      );
      const doomed = (page.Items ?? []).filter((item) => !keep.includes(item.type as string));
      for (let i = 0; i < doomed.length; i += 25) {
        let requests: Record<string, unknown>[] | undefined = doomed.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } }));
        for (let tries = 0; requests?.length && tries < 5; tries++) {
          const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
          requests = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
        }
        if (requests?.length) throw new Error('DynamoDB left event deletes unprocessed');
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async pending(limit: number): Promise<SecurityEvent[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tableName, IndexName: 'pending', KeyConditionExpression: 'pending = :p', ExpressionAttributeValues: { ':p': PENDING }, Limit: limit }),
    );
    return Items.map(toEvent);
  }

  async markPublished(events: SecurityEvent[]): Promise<void> {
    await Promise.all(
      events.map((e) =>
        conditional(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { pk: partition(e.tenantId), sk: sortKey(e) },
              UpdateExpression: 'REMOVE pending SET publishedAt = :now',
              ConditionExpression: 'attribute_exists(pending)',
              ExpressionAttributeValues: { ':now': new Date().toISOString() },
            }),
          ),
        ),
      ),
    );
  }

  async publishRefused(e: SecurityEvent, reason: string, maxAttempts: number): Promise<{ attempts: number; parked: boolean }> {
    const key = { pk: partition(e.tenantId), sk: sortKey(e) };
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'ADD publishAttempts :one SET lastPublishError = :reason',
        ConditionExpression: 'attribute_exists(pending)',
        ExpressionAttributeValues: { ':one': 1, ':reason': reason },
        ReturnValues: 'UPDATED_NEW',
      }),
    ).catch((error: unknown) => {
      if (isConditionFailure(error)) return { Attributes: undefined }; // published meanwhile (another relay)
      throw error;
    });
    const attempts = (Attributes?.publishAttempts as number | undefined) ?? 0;
    if (Attributes === undefined || attempts < maxAttempts) return { attempts, parked: false };
    // parked: out of the sparse pending index, still in the audit trail, with `parkedAt` to find it by
    const parked = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE pending SET parkedAt = :now',
          ConditionExpression: 'attribute_exists(pending)',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      ),
    );
    return { attempts, parked };
  }

  async list(tenantId: string, options: { userId?: string; cursor?: string; limit: number }) {
    const byUser = options.userId !== undefined;
    const partitionKey = byUser ? { tenantUser: `${tenantId}#${options.userId}` } : { pk: partition(tenantId) };
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byUser ? { IndexName: 'by-user', KeyConditionExpression: 'tenantUser = :k' } : { KeyConditionExpression: 'pk = :k' }),
        ExpressionAttributeValues: { ':k': Object.values(partitionKey)[0] },
        ScanIndexForward: false,
        Limit: options.limit,
        // a cursor only pages through the partition it was made for: the caller's tenant (and user)
        ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor, { pk: partition(tenantId), ...partitionKey }) } : {}),
      }),
    );
    return { events: Items.map(toEvent), nextCursor: encodeCursor(LastEvaluatedKey) };
  }
}

function toEvent(item: Record<string, unknown>): SecurityEvent {
  const { eventId, type, tenantId, userId, at, actor, detail } = item as SecurityEvent;
  return { eventId, type, tenantId, userId: userId ?? null, at, actor, detail };
}
