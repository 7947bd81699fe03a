/**
 * What an operator does to tenants from the command line (infra/cli/tenants.ts), never a
 * function (so it lives here, beside the command, and no function's role allows its Scans): list every tenant (a Scan of the directory, which holds a few items per tenant),
 * and delete one. Deleting the tenant's record deletes its wrapped data key, so whatever was
 * sealed under it (TOTP secrets, recovery codes) can never be read again even before it is
 * purged; `purge` then deletes the tenant's items from another table (a Scan: an operator's
 * occasional command, paid once, not a request path).
 */
import { BatchWriteCommand, DeleteCommand, GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoTenantDirectory } from '@twofold/adapters/aws/dynamo-tenant-directory';
import { keys } from '@twofold/adapters/tables';
import type { TenantQuota } from '@twofold/contract/schemas';

export interface TenantSummary {
  tenantId: string;
  name: string;
  createdAtMs: number;
}

export class DynamoTenantOperations {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly directoryTable: string,
  ) {}

  /** The tenant's request quota, on its record (the functions read it with the record, cached: core/tenancy/tenant-quota.ts); false if there is no such tenant. */
  setQuota(tenantId: string, quota: TenantQuota): Promise<boolean> {
    return new DynamoTenantDirectory(this.db, this.directoryTable).putQuota(tenantId, quota);
  }

  async listTenants(): Promise<TenantSummary[]> {
    const tenants: TenantSummary[] = [];
    for await (const item of this.scan(this.directoryTable, 'sk = :s', { ':s': 'TENANT' }, 'tenantId, #n, createdAtMs')) {
      tenants.push({ tenantId: item.tenantId as string, name: item.name as string, createdAtMs: item.createdAtMs as number });
    }
    return tenants.sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /**
   * Deletes the tenant's API keys first (each stops working, in AWS within the key cache time),
   * then every directory item of the tenant: its key list, key uses, and its record with the
   * wrapped data key. False if there was no such tenant (nothing is deleted then).
   */
  async deleteTenant(tenantId: string): Promise<{ deleted: boolean; keysDeleted: number }> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.directoryTable, Key: keys.tenant(tenantId), ConsistentRead: true }));
    if (!Item) return { deleted: false, keysDeleted: 0 };
    let keysDeleted = 0;
    // every key item of the tenant, listed or not (a creation that failed half-way leaves one unlisted)
    for await (const item of this.scan(this.directoryTable, 'sk = :s AND tenantId = :t', { ':s': 'APIKEY', ':t': tenantId }, 'pk, sk')) {
      await this.db.send(new DeleteCommand({ TableName: this.directoryTable, Key: { pk: item.pk, sk: item.sk } }));
      keysDeleted++;
    }
    await this.purge(this.directoryTable, tenantId);
    return { deleted: true, keysDeleted };
  }

  /** Deletes every item of a table (keyed pk, sk) whose partition key names the tenant (`…#<tenantId>` or `…#<tenantId>#…`). */
  async purgeTenant(tableName: string, tenantId: string): Promise<number> {
    return this.purge(tableName, tenantId);
  }

  private async purge(tableName: string, fragment: string): Promise<number> {
    let deleted = 0;
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      let requests: Record<string, unknown>[] | undefined = batch.map((Key) => ({ DeleteRequest: { Key } }));
      batch = [];
      while (requests && requests.length > 0) {
        const { UnprocessedItems } = await this.db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
      }
    };
    for await (const item of this.scan(tableName, 'contains(pk, :f)', { ':f': fragment }, 'pk, sk')) {
      const pk = item.pk as string;
      // the tenant's own partitions only: its id as a whole segment of the key (USER#<tenantId>#<userId>, STATS#<tenantId>, …)
      if (!pk.split('#').includes(fragment)) continue;
      batch.push({ pk, sk: item.sk });
      deleted++;
      if (batch.length === 25) await flush();
    }
    if (batch.length > 0) await flush();
    return deleted;
  }

  private async *scan(tableName: string, filter: string, values: Record<string, unknown>, projection: string): AsyncGenerator<Record<string, unknown>> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: filter,
          ExpressionAttributeValues: values,
          ProjectionExpression: projection,
          ...(projection.includes('#n') ? { ExpressionAttributeNames: { '#n': 'name' } } : {}),
          ExclusiveStartKey: start,
        }),
      );
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
