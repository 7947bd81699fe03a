import { createHash } from 'node:crypto';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContainerCensus } from '@twofold/core/ports';

/** How many items share one second's count of a tenant's containers. */
export const CENSUS_SHARDS = 4;

/** The census's items (attempts table): `CENSUS#<tenant>#<shard>`, sk the window's epoch second, the count in `containers`. */
export const censusPartition = (tenantId: string, shard: number) => `CENSUS#${tenantId}#${shard}`;

/** A window's items outlive it by a minute (TTL is lazy; only the last two windows are ever read). */
const KEEP_SECONDS = 60;

/**
 * The containers serving a tenant, per second (core/tenancy/tenant-quota.ts). A container checks in
 * with one UpdateItem (ADD 1 to the count of its shard, a hash of its id: at most one write per
 * container, tenant and second, spread over CENSUS_SHARDS partitions) and reads this window's
 * and the last one's shards in one BatchGetItem (2 × CENSUS_SHARDS keys, strongly consistent:
 * a count written a moment ago by another container is seen). Both off the request's path.
 */
export class DynamoContainerCensus implements ContainerCensus {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async checkIn(tenantId: string, containerId: string, second: number): Promise<{ previous: number; current: number }> {
    const shard = createHash('sha256').update(containerId).digest()[0]! % CENSUS_SHARDS;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: censusPartition(tenantId, shard), sk: String(second) },
        UpdateExpression: 'ADD containers :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': second + KEEP_SECONDS },
      }),
    );
    const keys = [second - 1, second].flatMap((s) => Array.from({ length: CENSUS_SHARDS }, (_, n) => ({ pk: censusPartition(tenantId, n), sk: String(s) })));
    const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'sk, containers' } } }));
    // a key left unprocessed (throttled) counts as none: the estimate errs low for a second, the next check-in corrects it
    const counts = { previous: 0, current: 0 };
    for (const item of out.Responses?.[this.tableName] ?? []) {
      if (item.sk === String(second)) counts.current += Number(item.containers ?? 0);
      else counts.previous += Number(item.containers ?? 0);
    }
    return counts;
  }
}
