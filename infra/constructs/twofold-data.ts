/**
 * The stateful half of Twofold as one construct: the DynamoDB tables, the KMS key behind the
 * KeyVault port and the security-events bus. Everything in it is retained and outlives any
 * deployment of the code (TwofoldService).
 *
 * How the service reaches it without CloudFormation exports: in the same stack, directly; in
 * another stack, through SSM parameters this construct writes (table names, key ARN, bus
 * name), which the service's stack reads as CloudFormation parameters at deploy time. An
 * export ("Fn::ImportValue") would make the data stack refuse any change that touches a value
 * still imported, e.g. a table replaced; an SSM parameter blocks nothing, and the values are
 * stable anyway (tables are retained, the key is never replaced).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { tables as tableDefinitions, type TableName } from '@twofold/adapters/tables';
import { SecurityEvents } from './security-events';
import { DataTables } from './tables';
import { VaultKey } from './vault-key';

/** What the service is given: the tables, the key and the bus, however they were reached. */
export interface TwofoldDataResources {
  readonly tables: Record<TableName, ITable>;
  readonly key: IKey;
  readonly bus: IEventBus;
}

export interface TwofoldDataProps {
  /**
   * Names the deployment: the key alias `alias/<name>/key-vault`, the bus `<name>-security-events`
   * and the SSM parameters under `/<name>/twofold/`. Give the service the same data object.
   * @default 'twofold'
   */
  readonly name?: string;
  /** The EventBridge bus of security events. @default `<name>-security-events` */
  readonly eventBusName?: string;
}

const tableNames = Object.keys(tableDefinitions) as TableName[];

/** Where the data's SSM parameters live, by deployment name: one place for writer and reader. */
export const dataParameterNames = (name: string) => ({
  table: (table: TableName) => `/${name}/twofold/tables/${table}`,
  keyArn: `/${name}/twofold/key-arn`,
  busName: `/${name}/twofold/event-bus-name`,
});

export class TwofoldData extends Construct implements TwofoldDataResources {
  readonly name: string;
  readonly tables: Record<TableName, ITable>;
  readonly key: IKey;
  readonly bus: IEventBus;
  private readonly references = new Map<Stack, TwofoldDataResources>();

  constructor(scope: Construct, id: string, props: TwofoldDataProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'twofold';
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(this.name)) throw new Error(`TwofoldData name "${this.name}": lowercase letters, digits and "-", starting with a letter, at most 31 characters.`);
    this.tables = new DataTables(this, 'Tables').byName;
    this.key = new VaultKey(this, 'Vault', { alias: `alias/${this.name}/key-vault` }).key;
    this.bus = new SecurityEvents(this, 'SecurityEvents', { busName: props.eventBusName ?? `${this.name}-security-events` }).bus;

    const parameters = dataParameterNames(this.name);
    const parameter = (id: string, parameterName: string, stringValue: string, description: string) =>
      new StringParameter(this, id, { parameterName, stringValue, description });
    for (const table of tableNames) parameter(`${table}TableParameter`, parameters.table(table), this.tables[table].tableName, `Twofold ${this.name}: the ${table} table`);
    parameter('KeyArnParameter', parameters.keyArn, this.key.keyArn, `Twofold ${this.name}: the KMS key of the KeyVault`);
    parameter('BusNameParameter', parameters.busName, this.bus.eventBusName, `Twofold ${this.name}: the security-events bus`);
  }

  /**
   * The resources as `scope` may use them: these very objects in the same stack; from another
   * stack, references read from the SSM parameters (no export), and that stack deployed after
   * this one.
   */
  resourcesFor(scope: Construct): TwofoldDataResources {
    const stack = Stack.of(scope);
    if (stack === Stack.of(this)) return this;
    let resources = this.references.get(stack);
    if (!resources) {
      stack.addStackDependency(Stack.of(this), 'Twofold: the service reads the data stack’s SSM parameters');
      resources = TwofoldData.fromParameters(stack, `TwofoldData-${this.name}`, this.name);
      this.references.set(stack, resources);
    }
    return resources;
  }

  /**
   * The data of deployment `name`, from its SSM parameters: for a service in another stack or
   * another app than the TwofoldData (the parameters are resolved when `scope`'s stack deploys).
   */
  static fromParameters(scope: Construct, id: string, name = 'twofold'): TwofoldDataResources {
    const refs = new Construct(scope, id);
    const parameters = dataParameterNames(name);
    const value = (parameterName: string) => StringParameter.valueForStringParameter(refs, parameterName);
    const byName = {} as Record<TableName, ITable>;
    for (const table of tableNames) byName[table] = Table.fromTableName(refs, `${table}Table`, value(parameters.table(table)));
    const keyArn = value(parameters.keyArn);
    // a deploy-time ARN: CDK splits it with Fn::Split for the key id
    const key = Key.fromKeyArn(refs, 'Key', keyArn);
    const busName = value(parameters.busName);
    const bus = EventBus.fromEventBusAttributes(refs, 'Bus', {
      eventBusName: busName,
      eventBusArn: Stack.of(refs).formatArn({ service: 'events', resource: 'event-bus', resourceName: busName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      eventBusPolicy: '',
    });
    return { tables: byName, key, bus };
  }
}
