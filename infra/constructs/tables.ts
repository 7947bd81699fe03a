/**
 * The DynamoDB tables, one per entry of the shared table definitions (the local runtime makes
 * the same ones in dynalite). Stateful: retained when the stack goes, protected from deletion,
 * point-in-time recovery on. Encrypted at rest with the AWS-managed DynamoDB key: the secrets in
 * them are sealed again under each tenant's data key, so the table key is a second layer, and an
 * AWS-managed one keeps every grant on the tables free of KMS permissions.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tables, type TableDefinition, type TableName } from '@twofold/adapters/tables';

const tableNames = Object.keys(tables) as TableName[];

export class DataTables extends Construct {
  readonly byName: Record<TableName, ITable>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // the construct id is the logical name: renaming one would make a new (empty) table
    const byName = {} as Record<TableName, ITable>;
    for (const name of tableNames) byName[name] = this.table(tables[name]);
    this.byName = byName;
  }

  private table(def: TableDefinition): Table {
    const table = new Table(this, def.name, {
      partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
      ...(def.sortKey ? { sortKey: { name: def.sortKey, type: AttributeType.STRING } } : {}),
      ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of def.globalIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
      });
    }
    return table;
  }
}
