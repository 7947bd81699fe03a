/**
 * The KMS key behind the KeyVault port (packages/adapters/src/aws/kms-key-vault.ts): it wraps
 * each tenant's data key and the deployment's assertion signing key. It never leaves KMS, so
 * losing it loses every secret: retained when the stack goes, rotated yearly by KMS (old
 * versions still decrypt what they wrapped).
 *
 * Its key policy names its actions instead of CDK's default `kms:*` for the account: the
 * account (its IAM policies: the functions' roles, the deploy role) may administer the key
 * and use it the two ways Twofold does, Decrypt and GenerateDataKey. Nobody can Encrypt,
 * ReEncrypt or CreateGrant with it, whatever their IAM policy says; PutKeyPolicy stays, so the
 * policy can always be changed.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** What CloudFormation and an operator do to the key over its life (create, update, tag, alias, retire). */
export const keyAdministration = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:ListKeyPolicies',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListGrants',
  'kms:RevokeGrant',
];

/** What the KeyVault does with it (GenerateDataKey for a new data key, Decrypt to unwrap one). */
export const keyUse = ['kms:Decrypt', 'kms:GenerateDataKey'];

export class VaultKey extends Construct {
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: { alias: string }) {
    super(scope, id);
    const account = new AccountRootPrincipal();
    this.key = new Key(this, 'Key', {
      alias: props.alias,
      description: "Twofold: wraps tenants' data keys and the assertion signing key",
      enableKeyRotation: true,
      // a scheduled deletion can still be cancelled for this long
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      // in a key policy, resource "*" is this key
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({ sid: 'AccountAdministersTheKey', principals: [account], actions: keyAdministration, resources: ['*'] }),
          new PolicyStatement({ sid: 'AccountUsesTheKeyThroughIam', principals: [account], actions: keyUse, resources: ['*'] }),
        ],
      }),
    });
  }
}
