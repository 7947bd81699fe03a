import { BatchWriteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecurityEvent } from '@twofold/contract/events';
import type { AuditFilter, EventOutbox } from '@twofold/core/ports';
import { isCancelledOnCondition } from './dynamo-challenge-store';
import { conditional, decodeCursor, encodeCursor, isConditionFailure } from './dynamo';

const PENDING = 'PENDING';
const partition = (tenantId: string) => `EVENTS#${tenantId}`;
const sortKey = (e: SecurityEvent) => `${e.at}#${e.eventId}`;

/** An event as the events table keeps it, pending until published (also written inside a user change's transaction). */
export function eventItem(e: SecurityEvent, retentionDays = DEFAULT_RETENTION_DAYS): Record<string, unknown> {
  const expiresAtEpoch = Math.ceil(Date.parse(e.at) / 1000) + retentionDays * 86_400;
  return { pk: partition(e.tenantId), sk: sortKey(e), ...(e.userId === null ? {} : { tenantUser: `${e.tenantId}#${e.userId}` }), pending: PENDING, expiresAtEpoch, ...e };
}

/** DynamoDB takes at most 100 items in one transaction. */
const MARKS_A_TRANSACTION = 100;

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

  /**
   * Many events (an import's) are marked a hundred a transaction, each mark conditional on the
   * event being still pending; a transaction one of whose events is gone or already marked (the
   * relay got there first) is cancelled whole, and its events are then marked one by one.
   */
  async markPublished(events: SecurityEvent[]): Promise<void> {
    const publishedAt = new Date().toISOString();
    const mark = (e: SecurityEvent) => ({
      TableName: this.tableName,
      Key: { pk: partition(e.tenantId), sk: sortKey(e) },
      UpdateExpression: 'REMOVE pending SET publishedAt = :now',
      ConditionExpression: 'attribute_exists(pending)',
      ExpressionAttributeValues: { ':now': publishedAt },
    });
    const oneByOne = (chunk: SecurityEvent[]) => Promise.all(chunk.map((e) => conditional(() => this.db.send(new UpdateCommand(mark(e))))));
    const chunks: SecurityEvent[][] = [];
    for (let i = 0; i < events.length; i += MARKS_A_TRANSACTION) chunks.push(events.slice(i, i + MARKS_A_TRANSACTION));
    await Promise.all(
      chunks.map(async (chunk) => {
        if (chunk.length === 1) return oneByOne(chunk);
        try {
          await this.db.send(new TransactWriteCommand({ TransactItems: chunk.map((e) => ({ Update: mark(e) })) }));
        } catch (error) {
          if (!isCancelledOnCondition(error)) throw error;
          await oneByOne(chunk);
        }
      }),
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

  async list(tenantId: string, options: AuditFilter & { cursor?: string; limit: number }) {
    const byUser = options.userId !== undefined;
    const partitionKey = byUser ? { tenantUser: `${tenantId}#${options.userId}` } : { pk: partition(tenantId) };
    // sk is `<at>#<eventId>`: an event at `from` sorts after `from`, one at `to` after `to`, so BETWEEN is [from, to)
    const range =
      options.from !== undefined && options.to !== undefined ? ' AND sk BETWEEN :from AND :to' : options.from !== undefined ? ' AND sk >= :from' : options.to !== undefined ? ' AND sk < :to' : '';
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byUser ? { IndexName: 'by-user', KeyConditionExpression: `tenantUser = :k${range}` } : { KeyConditionExpression: `pk = :k${range}` }),
        ...(options.type ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } } : {}),
        ExpressionAttributeValues: {
          ':k': Object.values(partitionKey)[0],
          ...(options.from !== undefined ? { ':from': options.from } : {}),
          ...(options.to !== undefined ? { ':to': options.to } : {}),
          ...(options.type ? { ':type': options.type } : {}),
        },
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
