import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantStats } from '@twofold/core/ports';
import { keys } from '../tables';

/**
 * A tenant's overview counters: one item (secrets table) moved with ADD, an atomic increment,
 * so parallel changes never lose a count; the latest enrollments come from the sparse
 * `enrolled` index. Reading the overview is one GetItem and one Query, whatever the user count.
 */
export class DynamoTenantStats implements TenantStats {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(tenantId: string, delta: Record<string, number>): Promise<void> {
    const entries = Object.entries(delta);
    if (entries.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.stats(tenantId),
        UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, `count:${name}`])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, change], i) => [`:c${i}`, change])),
      }),
    );
  }

  async read(tenantId: string): Promise<Record<string, number>> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.stats(tenantId), ConsistentRead: true }));
    const counts: Record<string, number> = {};
    for (const [attribute, value] of Object.entries(Item ?? {})) {
      if (attribute.startsWith('count:') && typeof value === 'number') counts[attribute.slice('count:'.length)] = value;
    }
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
