import { BatchGetCommand, QueryCommand, UpdateCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantStats } from '@twofold/core/ports';
import { keys, STATS_SHARDS } from '../tables';

/**
 * A tenant's overview counters: STATS_SHARDS items (secrets table), each its own partition, moved
 * with ADD inside the user change that moves them (see DynamoUserStore.commit), so that no
 * change is counted without being committed or twice; the latest enrollments come from the
 * sparse `enrolled` index. Reading the overview is one BatchGetItem and one Query, whatever the
 * user count.
 */
export class DynamoTenantStats implements TenantStats {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Moves one shard's counters (the scheduled recount's repairs; user changes move theirs in their transaction). */
  async add(tenantId: string, delta: Record<string, number>, shard = 0): Promise<void> {
    const entries = Object.entries(delta);
    if (entries.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.stats(tenantId, shard),
        UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, `count:${name}`])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, change], i) => [`:c${i}`, change])),
      }),
    );
  }

  async read(tenantId: string): Promise<Record<string, number>> {
    const Keys = Array.from({ length: STATS_SHARDS }, (_, shard) => keys.stats(tenantId, shard));
    const counts: Record<string, number> = {};
    let request: { Keys: Record<string, unknown>[]; ConsistentRead: boolean } | undefined = { Keys, ConsistentRead: true };
    for (let tries = 0; request && tries < 5; tries++) {
      const out: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: request } }));
      for (const item of out.Responses?.[this.tableName] ?? []) {
        for (const [attribute, value] of Object.entries(item)) {
          if (attribute.startsWith('count:') && typeof value === 'number') counts[attribute.slice('count:'.length)] = (counts[attribute.slice('count:'.length)] ?? 0) + value;
        }
      }
      request = out.UnprocessedKeys?.[this.tableName] as typeof request;
    }
    if (request) throw new Error('DynamoDB left counter reads unprocessed');
    return counts;
  }

  async recentEnrollments(tenantId: string, limit: number) {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'enrolled',
        KeyConditionExpression: 'enrolledTenant = :tenant',
        ExpressionAttributeValues: { ':tenant': tenantId },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => ({ userId: item.userId as string, enrolledAtMs: Date.parse(item.enrolledAt as string) }));
  }
}
