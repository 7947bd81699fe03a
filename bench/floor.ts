/**
 * The bare floor: one strongly consistent read of at most 4 KB plus one conditional write of at
 * most 1 KB (the floor), made directly with a DocumentClient on the same engine as the
 * handler path, on a copy of each bench user's partition. The read is the same Query of the
 * user's partition (profile, factors, recovery codes, login item: one item collection, 1 RCU)
 * that the handler makes; the write a plain conditional UpdateItem of the login item. No
 * handler, no middleware, no crypto.
 *
 * The client is the AWS SDK's, either as it comes (`sdk`: `new DynamoDBClient` and
 * `DynamoDBDocumentClient.from`, what a DynamoDB user writes and what the outside check's floor
 * uses; the target's reference) or as Twofold's functions send the login's two calls (`twofold`:
 * `dynamoClient()`, less two of its middlewares, with `cacheMiddleware`, the commands marshalled
 * with util-dynamodb; shown beside it, so that what the client's set-up gives and what the
 * handler costs can be told apart).
 */
import { DynamoDBClient, QueryCommand as PlainQuery, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, dynamoClient } from '@twofold/adapters';
import { tables, type TableNames } from '@twofold/adapters/tables';
import type { CallLog } from './call-log';


export interface FloorUser {
  userPk: string;
}

export interface FloorOp {
  /** The login item's key. */
  loginKey: { pk: string; sk: string };
  userPk: string;
  step: number;
  nowMs: number;
}

/** Which client the floor's calls go through. */
export type FloorClient = 'sdk' | 'twofold';

export class Floor {
  private readonly db: DynamoDBDocumentClient;
  /** `twofold`: the client of the two timed calls, as the functions' hotDynamo. */
  private readonly hot?: DynamoDBClient;

  constructor(
    private readonly endpoint: string,
    private readonly region: string,
    private readonly tables: TableNames,
    private readonly tenantId: string,
    log: CallLog,
    readonly client: FloorClient = 'sdk',
    /** the users' copies, shared with a sibling */
    private readonly users: FloorUser[] = [],
  ) {
    const config = { region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const raw = client === 'sdk' ? new DynamoDBClient(config) : dynamoClient(config);
    log.attach(raw);
    this.db = client === 'sdk' ? DynamoDBDocumentClient.from(raw) : documentClient(raw);
    if (client === 'twofold') {
      this.hot = dynamoClient({ ...config, cacheMiddleware: true, requestHandler: raw.config.requestHandler });
      log.attach(this.hot);
    }
  }

  /** Another floor on the same copies of the users (those added to either), through another client. */
  sibling(client: FloorClient, log: CallLog): Floor {
    return new Floor(this.endpoint, this.region, this.tables, this.tenantId, log, client, this.users);
  }

  /**
   * Copies a user's partition (profile, factors, login item) to a floor partition of its own,
   * out of the table's indexes (the admin's user list, the grace job, the overview and its
   * recount see the bench's users, not their copies).
   */
  async addUser(userId: string): Promise<void> {
    const source = `USER#${this.tenantId}#${userId}`;
    const userPk = `USER#${this.tenantId}#floor-${userId}`;
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tables.secrets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': source }, ConsistentRead: true }),
    );
    const login = Items.find((i) => i.sk === 'LOGIN');
    for (const item of Items) await this.db.send(new PutCommand({ TableName: this.tables.secrets, Item: { ...outOfIndexes(item), pk: userPk } }));
    if (!login) await this.db.send(new PutCommand({ TableName: this.tables.secrets, Item: { pk: userPk, sk: 'LOGIN' } }));
    this.users.push({ userPk });
  }

  get userCount(): number {
    return this.users.length;
  }

  /** One operation per user (not timed). */
  prepareRound(step: number, nowMs: number): FloorOp[] {
    return this.users.map((u) => ({ loginKey: { pk: u.userPk, sk: 'LOGIN' }, userPk: u.userPk, step, nowMs }));
  }

  /** The timed part: the handler's Query of the user's partition, then one conditional UpdateItem of the login item. */
  async verify(op: FloorOp): Promise<void> {
    if (this.hot) return this.verifyPlain(this.hot, op);
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tables.secrets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': op.userPk }, ConsistentRead: true }),
    );
    if (!Items.some((i) => i.sk === 'LOGIN')) throw new Error('bench floor: login item missing');
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.secrets,
        Key: op.loginKey,
        UpdateExpression: 'SET #step = :step, #used = :now',
        ConditionExpression: 'attribute_not_exists(#step) OR #step <= :step',
        ExpressionAttributeNames: { '#step': 'step:floor', '#used': 'used:floor' },
        ExpressionAttributeValues: { ':step': op.step, ':now': op.nowMs },
      }),
    );
  }

  /** The same two calls on a plain client, marshalled here. */
  private async verifyPlain(hot: DynamoDBClient, op: FloorOp): Promise<void> {
    const { Items = [] } = await hot.send(
      new PlainQuery({ TableName: this.tables.secrets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: marshall({ ':pk': op.userPk }), ConsistentRead: true }),
    );
    if (!Items.map((i) => unmarshall(i)).some((i) => i.sk === 'LOGIN')) throw new Error('bench floor: login item missing');
    await hot.send(
      new UpdateItemCommand({
        TableName: this.tables.secrets,
        Key: marshall(op.loginKey),
        UpdateExpression: 'SET #step = :step, #used = :now',
        ConditionExpression: 'attribute_not_exists(#step) OR #step <= :step',
        ExpressionAttributeNames: { '#step': 'step:floor', '#used': 'used:floor' },
        ExpressionAttributeValues: marshall({ ':step': op.step, ':now': op.nowMs }),
      }),
    );
  }

  destroy(): void {
    this.db.destroy();
  }
}

const indexKeys: readonly string[] = tables.secrets.globalIndexes.map((i) => i.partitionKey);
/** An item without the attributes that would put it in one of the secrets table's indexes. */
const outOfIndexes = (item: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(item).filter(([name]) => !indexKeys.includes(name)));
