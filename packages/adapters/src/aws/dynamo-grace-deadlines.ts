import { isCancelledOnCondition } from './dynamo-challenge-store';
import { eventItem } from './dynamo-event-outbox';
import type { SecurityEvent } from '@twofold/contract/events';
import { DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraceDeadlines, GraceDue, GraceNotice } from '@twofold/core/ports';
import { GRACE_SHARDS, keys, userItem } from '../tables';
import { conditional } from './dynamo';

const noticeAttribute: Record<GraceNotice, string> = { reminder3: 'reminded3For', reminder1: 'reminded1For', expired: 'expiredFor', expiredNotice: 'expiredNoticeFor' };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The sparse `grace` index of the secrets table: a profile carries `graceKey`/`graceEndsAt` only
 * while its user must enroll and has not been told the grace period is over. Notices are
 * attributes of the profile, each set with one conditional write for one deadline.
 */
export class DynamoGraceDeadlines implements GraceDeadlines {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Where an expiry's event is written, in the same transaction as its mark. */
    private readonly eventsTable?: string,
  ) {}

  private profileKey(tenantId: string, userId: string) {
    return { pk: keys.userPartition(tenantId, userId), sk: userItem.profile };
  }

  async due(horizonMs: number, cursor: string | undefined, limit: number): Promise<{ items: GraceDue[]; nextCursor: string | null }> {
    // the cursor is internal to the scheduled job: which shard, and where in it
    const position = cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { shard: number; key?: Record<string, unknown> }) : { shard: 0 };
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'grace',
        KeyConditionExpression: 'graceKey = :shard AND graceEndsAt <= :horizon',
        ExpressionAttributeValues: { ':shard': `GRACE#${position.shard}`, ':horizon': iso(horizonMs) },
        Limit: limit,
        ExclusiveStartKey: position.key,
      }),
    );
    const items = (page.Items ?? []).map((item) => ({
      tenantId: item.tenantId as string,
      userId: item.userId as string,
      graceEndsAtMs: Date.parse(item.graceEndsAt as string),
      ...(typeof item.email === 'string' ? { email: item.email } : {}),
      ...(typeof item.reminded3For === 'string' ? { reminded3For: item.reminded3For } : {}),
      ...(typeof item.reminded1For === 'string' ? { reminded1For: item.reminded1For } : {}),
      ...(typeof item.expiredFor === 'string' ? { expiredFor: item.expiredFor } : {}),
      ...(typeof item.expiredNoticeFor === 'string' ? { expiredNoticeFor: item.expiredNoticeFor } : {}),
    }));
    const next = page.LastEvaluatedKey ? { shard: position.shard, key: page.LastEvaluatedKey } : position.shard + 1 < GRACE_SHARDS ? { shard: position.shard + 1 } : undefined;
    return { items, nextCursor: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null };
  }

  async claim(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number, event?: SecurityEvent): Promise<boolean> {
    const update = {
      TableName: this.tableName,
      Key: this.profileKey(tenantId, userId),
      // the expiry notice sent: out of the index too, in the same write
      UpdateExpression: `SET #notice = :deadline${notice === 'expiredNotice' ? ' REMOVE graceKey' : ''}`,
      ConditionExpression: 'graceEndsAt = :deadline AND attribute_exists(graceKey) AND (attribute_not_exists(#notice) OR #notice <> :deadline)',
      ExpressionAttributeNames: { '#notice': noticeAttribute[notice] },
      ExpressionAttributeValues: { ':deadline': iso(graceEndsAtMs) },
    };
    if (!event) return conditional(() => this.db.send(new UpdateCommand(update)));
    if (!this.eventsTable) throw new Error('DynamoGraceDeadlines needs the events table to claim with an event');
    try {
      // the mark and its event: together or not at all
      await this.db.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, { Put: { TableName: this.eventsTable, Item: eventItem(event) } }] }));
      return true;
    } catch (error) {
      if (isCancelledOnCondition(error)) return false;
      throw error;
    }
  }

  async release(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.profileKey(tenantId, userId),
          UpdateExpression: `REMOVE #notice${notice === 'expiredNotice' ? ' SET graceKey = :shard' : ''}`,
          ConditionExpression: '#notice = :deadline AND graceEndsAt = :deadline',
          ExpressionAttributeNames: { '#notice': noticeAttribute[notice] },
          ExpressionAttributeValues: { ':deadline': iso(graceEndsAtMs), ...(notice === 'expiredNotice' ? { ':shard': keys.graceShard(tenantId, userId) } : {}) },
        }),
      ),
    );
  }

  async forget(tenantId: string, userId: string, graceEndsAtMs: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.profileKey(tenantId, userId),
          UpdateExpression: 'REMOVE graceKey',
          ConditionExpression: 'expiredFor = :deadline AND graceEndsAt = :deadline',
          ExpressionAttributeValues: { ':deadline': iso(graceEndsAtMs) },
        }),
      ),
    );
  }

  async requestBackfill(tenantId: string, requestedAtMs: number): Promise<void> {
    // a newer request replaces an unfinished one (and its cursor): it starts over with the newer policy
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: keys.backfills, sk: tenantId, tenantId, requestedAtMs } }));
  }

  async backfills() {
    const out: { tenantId: string; requestedAtMs: number; cursor?: string }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.backfills }, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        out.push({ tenantId: item.tenantId as string, requestedAtMs: item.requestedAtMs as number, ...(typeof item.cursor === 'string' ? { cursor: item.cursor } : {}) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async saveBackfillCursor(tenantId: string, requestedAtMs: number, cursor: string): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.backfills, sk: tenantId },
          UpdateExpression: 'SET #cursor = :cursor',
          ConditionExpression: 'requestedAtMs = :at',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':cursor': cursor, ':at': requestedAtMs },
        }),
      ),
    );
  }

  async finishBackfill(tenantId: string, requestedAtMs: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.backfills, sk: tenantId },
          ConditionExpression: 'requestedAtMs = :at',
          ExpressionAttributeValues: { ':at': requestedAtMs },
        }),
      ),
    );
  }
}
