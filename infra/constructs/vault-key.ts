/**
 * The KMS key behind the KeyVault port (packages/adapters/src/aws/kms-key-vault.ts): it wraps
 * each tenant's data key and the deployment's assertion signing key. It never leaves KMS, so
 * losing it loses every secret: retained when the stack goes, rotated yearly by KMS (old
 * versions still decrypt what they wrapped).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export class VaultKey extends Construct {
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: { alias: string }) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      alias: props.alias,
      description: "Twofold: wraps tenants' data keys and the assertion signing key",
      enableKeyRotation: true,
      // a scheduled deletion can still be cancelled for this long
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
