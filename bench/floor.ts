/**
 * The bare floor: the four DynamoDB calls a warm TOTP verification makes (as counted on the
 * handler path), made directly with a DocumentClient, with the adapters' own expressions,
 * against copies of the bench users' items in the same dynalite. No handler, no middleware,
 * no crypto: what the handler path could reach at best.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@twofold/adapters';
import type { TableNames } from '@twofold/adapters/tables';
import type { CallLog } from './call-log';
import { forEachLimited } from './stats';

type Item = Record<string, unknown>;

export interface FloorUser {
  userPk: string;
  factorSk: string;
  /** A pending challenge of this user as the handler path stored it, to copy. */
  challengeTemplate: Item;
}

export interface FloorOp {
  challengeKey: { pk: string; sk: string };
  userPk: string;
  factorSk: string;
  step: number;
  nowMs: number;
}

export class Floor {
  private readonly db: DynamoDBDocumentClient;
  private readonly users: FloorUser[] = [];
  private serial = 0;

  constructor(
    endpoint: string,
    region: string,
    private readonly tables: TableNames,
    private readonly tenantId: string,
    log: CallLog,
  ) {
    // configured as buildDependencies configures the handlers' client
    const client = new DynamoDBClient({ region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    log.attach(client);
    this.db = documentClient(client);
  }

  /** Copies a user's partition (profile, factor, recovery codes) and remembers a challenge to copy. */
  async addUser(userId: string, challengeId: string): Promise<void> {
    const source = `USER#${this.tenantId}#${userId}`;
    const userPk = `USER#${this.tenantId}#floor-${userId}`;
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tables.secrets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': source }, ConsistentRead: true }),
    );
    const factor = Items.find((i) => String(i.sk).startsWith('FACTOR#'));
    if (!factor) throw new Error(`bench floor: user ${userId} has no factor item`);
    for (const item of Items) await this.db.send(new PutCommand({ TableName: this.tables.secrets, Item: { ...item, pk: userPk } }));
    const { Item: challenge } = await this.db.send(
      new GetCommand({ TableName: this.tables.attempts, Key: { pk: `CHALLENGE#${this.tenantId}#${challengeId}`, sk: 'CHALLENGE' }, ConsistentRead: true }),
    );
    if (!challenge) throw new Error(`bench floor: challenge ${challengeId} not found`);
    this.users.push({ userPk, factorSk: String(factor.sk), challengeTemplate: challenge });
  }

  get userCount(): number {
    return this.users.length;
  }

  /** One pending challenge per user (not timed), as the challenge function would have made. */
  async prepareRound(step: number, nowMs: number, concurrency: number): Promise<FloorOp[]> {
    const ops: FloorOp[] = this.users.map((u) => {
      const challengeId = `ch_floor${(this.serial++).toString().padStart(14, '0')}`;
      return { challengeKey: { pk: `CHALLENGE#${this.tenantId}#${challengeId}`, sk: 'CHALLENGE' }, userPk: u.userPk, factorSk: u.factorSk, step, nowMs };
    });
    await forEachLimited(ops, concurrency, async (op, i) => {
      const { verifiedAtMs: _v, verifiedMethod: _m, ...template } = this.users[i]!.challengeTemplate;
      const challengeId = op.challengeKey.pk.split('#').at(-1)!;
      await this.db.send(
        new PutCommand({
          TableName: this.tables.attempts,
          Item: { ...template, ...op.challengeKey, challengeId, status: 'pending', createdAtMs: nowMs, expiresAtMs: nowMs + 600_000 },
        }),
      );
    });
    return ops;
  }

  /** The timed part: read the challenge, read the user, use the step, mark the challenge verified. */
  async verify(op: FloorOp): Promise<void> {
    const { Item: challenge } = await this.db.send(new GetCommand({ TableName: this.tables.attempts, Key: op.challengeKey, ConsistentRead: true }));
    if (challenge?.status !== 'pending') throw new Error('bench floor: challenge not pending');
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tables.secrets, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': op.userPk }, ConsistentRead: true }),
    );
    if (!Items.some((i) => i.sk === op.factorSk)) throw new Error('bench floor: factor missing');
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.secrets,
        Key: { pk: op.userPk, sk: op.factorSk },
        UpdateExpression: 'SET lastUsedStep = :step, lastUsedAtMs = :now',
        ConditionExpression: '#status = :active AND (attribute_not_exists(lastUsedStep) OR lastUsedStep < :step)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':step': op.step, ':now': op.nowMs, ':active': 'active' },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.attempts,
        Key: op.challengeKey,
        UpdateExpression: 'SET #status = :verified, verifiedAtMs = :now, verifiedMethod = :method',
        ConditionExpression: '#status = :pending AND expiresAtMs > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':verified': 'verified', ':pending': 'pending', ':now': op.nowMs, ':method': 'totp' },
      }),
    );
  }

  destroy(): void {
    this.db.destroy();
  }
}
