/**
 * The repo's own stateful stack: a TwofoldData (tables, KMS key, security-events bus), and its
 * names as outputs for operators (tenant:create). No exports: the stateless stack reads the
 * data's SSM parameters (infra/constructs/twofold-data.ts).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TwofoldData } from '../constructs/twofold-data';
import { eventBusNameOf, type Settings } from '../settings';

export class StatefulStack extends Stack {
  readonly data: TwofoldData;

  constructor(scope: Construct, id: string, props: StackProps & { settings: Settings }) {
    super(scope, id, props);
    // "Default" leaves no trace in the logical ids: the tables, key and bus keep the ids they had before the construct
    this.data = new TwofoldData(this, 'Default', { name: props.settings.prefix, eventBusName: eventBusNameOf(props.settings) });

    for (const [name, table] of Object.entries(this.data.tables)) {
      new CfnOutput(this, `${name[0]!.toUpperCase()}${name.slice(1)}TableName`, { value: table.tableName, description: `The ${name} table` });
    }
    new CfnOutput(this, 'KmsKeyId', { value: this.data.key.keyId, description: 'The KMS key (KeyVault): --kms-key-id of npm run tenant:create' });
    new CfnOutput(this, 'KmsKeyArn', { value: this.data.key.keyArn });
    new CfnOutput(this, 'EventBusName', { value: this.data.bus.eventBusName, description: 'Security events: subscribe with an EventBridge rule' });
    new CfnOutput(this, 'EventBusArn', { value: this.data.bus.eventBusArn });
  }
}
