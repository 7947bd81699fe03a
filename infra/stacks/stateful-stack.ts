/**
 * What holds data or identity and must outlive any deployment of the code: the tables, the
 * KMS key, and the security-events bus others subscribe to. The stateless stack receives them.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TableName } from '@twofold/adapters/tables';
import { DataTables } from '../constructs/tables';
import { SecurityEvents } from '../constructs/security-events';
import { VaultKey } from '../constructs/vault-key';
import { eventBusNameOf, type Settings } from '../settings';

/** What the stateless stack is given. */
export interface StatefulResources {
  tables: Record<TableName, ITable>;
  key: IKey;
  bus: IEventBus;
}

export class StatefulStack extends Stack implements StatefulResources {
  readonly tables: Record<TableName, ITable>;
  readonly key: IKey;
  readonly bus: IEventBus;

  constructor(scope: Construct, id: string, props: StackProps & { settings: Settings }) {
    super(scope, id, props);
    this.tables = new DataTables(this, 'Tables').byName;
    this.key = new VaultKey(this, 'Vault', { alias: `alias/${props.settings.prefix}/key-vault` }).key;
    this.bus = new SecurityEvents(this, 'SecurityEvents', { busName: eventBusNameOf(props.settings) }).bus;

    for (const [name, table] of Object.entries(this.tables)) {
      new CfnOutput(this, `${name[0]!.toUpperCase()}${name.slice(1)}TableName`, { value: table.tableName, description: `The ${name} table` });
    }
    new CfnOutput(this, 'KmsKeyId', { value: this.key.keyId, description: 'The KMS key (KeyVault): --kms-key-id of npm run tenant:create' });
    new CfnOutput(this, 'KmsKeyArn', { value: this.key.keyArn });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'Security events: subscribe with an EventBridge rule' });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
  }
}
