/**
 * Embedded dynalite: DynamoDB's API on loopback, persisting under the data directory (or in
 * memory). The tables are created from the same definitions the CDK stack uses.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tables, type TableNames } from '@twofold/adapters/tables';

export interface LocalDynamo {
  endpoint: string;
  tableNames: TableNames;
  /** The configuration (environment) that points the functions at these tables. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

function environmentOf(endpoint: string, names: TableNames): Record<string, string> {
  return {
    TWOFOLD_DIRECTORY_TABLE: names.directory,
    TWOFOLD_SECRETS_TABLE: names.secrets,
    TWOFOLD_ATTEMPTS_TABLE: names.attempts,
    TWOFOLD_DEVICES_TABLE: names.devices,
    TWOFOLD_IDEMPOTENCY_TABLE: names.idempotency,
    TWOFOLD_EVENTS_TABLE: names.events,
    TWOFOLD_DYNAMODB_ENDPOINT: endpoint,
  };
}

export async function startDynalite(options: { path?: string; tablePrefix?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const prefix = options.tablePrefix ?? 'twofold';
  const tableNames = Object.fromEntries(Object.values(tables).map((t) => [t.name, `${prefix}-${t.name}`])) as TableNames;

  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const def of Object.values(tables)) {
    const name = tableNames[def.name];
    if (existing.has(name)) continue;
    const indexes = 'globalIndexes' in def ? def.globalIndexes : [];
    const attributes = new Set<string>([def.partitionKey, ...('sortKey' in def ? [def.sortKey] : [])]);
    for (const index of indexes) for (const a of [index.partitionKey, index.sortKey]) if (a) attributes.add(a);
    const keySchema = (hash: string, range?: string) => [
      { AttributeName: hash, KeyType: 'HASH' as const },
      ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
    ];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' as const })),
        KeySchema: keySchema(def.partitionKey, 'sortKey' in def ? def.sortKey : undefined),
        ...(indexes.length
          ? { GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.partitionKey, i.sortKey), Projection: { ProjectionType: 'ALL' as const } })) }
          : {}),
      }),
    );
  }
  client.destroy();
  return {
    endpoint,
    tableNames,
    environment: environmentOf(endpoint, tableNames),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
