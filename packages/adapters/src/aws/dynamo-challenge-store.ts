import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeCompletion, ChallengeStore, CodeUpdate } from '@twofold/core/ports';
import type { ChallengeRecord, LoginFailures } from '@twofold/core/records';
import { keys, userItem } from '../tables';
import { conditional, isConditionFailure } from './dynamo';
import { applyLoginPatch, attr, challengeValue, Expression, failureCount, LOCK_WINDOW_PENDING, loginStateOf, refusalOf } from './dynamo-login-item';

/** The table the challenge store writes: the login items live in the users' partitions (secrets). */
export interface ChallengeTables {
  secrets: string;
}

/**
 * Challenges in the user's login item; see dynamo-login-item.ts for its layout. A login's write
 * (complete) goes through `hot`, the plain client that keeps its resolved middleware
 * (cacheMiddleware; see DynamoUserReader), marshalled here; the rest through the DocumentClient.
 */
export class DynamoChallengeStore implements ChallengeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ChallengeTables,
    private readonly hot: DynamoDBClient,
  ) {}

  private key(tenantId: string, userId: string) {
    return { pk: keys.userPartition(tenantId, userId), sk: userItem.login };
  }

  async create(challenge: ChallengeRecord, drop: string[], revision: number): Promise<boolean> {
    const e = new Expression();
    const name = e.name(attr.challenge(challenge.challengeId));
    const rev = e.name(attr.challengeRevision);
    e.sets.push(`${name} = ${e.value(challengeValue(challenge))}`, `${rev} = ${e.value(revision + 1)}`);
    for (const id of drop) e.removes.push(e.name(attr.challenge(id)));
    e.conditions.push(`attribute_not_exists(${name})`, revision === 0 ? `attribute_not_exists(${rev})` : `${rev} = ${e.value(revision)}`);
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tables.secrets, Key: this.key(challenge.tenantId, challenge.userId), ...e.update() }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async complete(tenantId: string, userId: string, completion: ChallengeCompletion) {
    const e = new Expression();
    applyLoginPatch(e, { complete: completion }, completion.verifiedAtMs);
    const { ExpressionAttributeValues: values, ...update } = e.update();
    try {
      await this.hot.send(
        new UpdateItemCommand({
          TableName: this.tables.secrets,
          Key: marshall(this.key(tenantId, userId)),
          ...update,
          ...(values ? { ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }) } : {}),
          // why it did not hold, without another read
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'verified' as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return refusalOf(completion, itemOf(error), completion.verifiedAtMs);
    }
  }

  async countFailure(tenantId: string, userId: string, change: { read: LoginFailures | undefined; next: LoginFailures; nowMs: number; max: number }) {
    const e = new Expression();
    failureCount(e, change.read, change.next, { nowMs: change.nowMs, max: change.max });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({ TableName: this.tables.secrets, Key: this.key(tenantId, userId), ...e.update(), ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { counted: true as const, failures: (Attributes ? loginStateOf(tenantId, userId, Attributes).failures : undefined) ?? change.next };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = itemOf(error);
      return { counted: false as const, current: item ? loginStateOf(tenantId, userId, item).failures : undefined };
    }
  }

  async pendingLocks(limit: number) {
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tables.secrets, IndexName: 'lock-windows', KeyConditionExpression: 'lockWindow = :p', ExpressionAttributeValues: { ':p': LOCK_WINDOW_PENDING }, Limit: limit }),
    );
    return Items.flatMap((item) => {
      // the key is USER#<tenantId>#<userId>; tenant ids hold no '#', user ids may not either
      const [, tenantId, ...rest] = String(item.pk).split('#');
      const userId = rest.join('#');
      const failures = tenantId ? loginStateOf(tenantId, userId, item).failures : undefined;
      return tenantId && failures ? [{ tenantId, userId, failures }] : [];
    });
  }

  async settleLock(tenantId: string, userId: string, gen: number) {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.secrets,
          Key: this.key(tenantId, userId),
          UpdateExpression: 'REMOVE lockWindow, lockWindowOpenedAtMs',
          ConditionExpression: 'gen = :gen',
          ExpressionAttributeValues: { ':gen': gen },
        }),
      ),
    );
  }

  async replaceCode(tenantId: string, userId: string, challengeId: string, update: CodeUpdate) {
    const e = new Expression();
    const field = (f: string) => e.name(attr.challenge(challengeId), f);
    const now = e.value(update.sentAtMs);
    e.conditions.push(`${field('status')} = ${e.value('pending')}`, `${field('expiresAtMs')} > ${now}`);
    e.sets.push(`${field('method')} = ${e.value(update.method)}`, `${field('expiresAtMs')} = ${e.value(update.expiresAtMs)}`);
    if (update.countsAsResend) {
      e.sets.push(`${field('resends')} = ${field('resends')} + ${e.value(1)}`, `${field('codeSentAtMs')} = ${now}`);
      if (update.resendLimit !== null) e.conditions.push(`${field('resends')} < ${e.value(update.resendLimit)}`);
      e.conditions.push(`(attribute_not_exists(${field('codeSentAtMs')}) OR ${field('codeSentAtMs')} <= ${e.value(update.sentAtMs - update.cooldownSeconds * 1000)})`);
    }
    if (update.codeHash) e.sets.push(`${field('codeHash')} = ${e.value(update.codeHash)}`);
    else e.removes.push(field('codeHash'));
    if (update.factorId) e.sets.push(`${field('factorId')} = ${e.value(update.factorId)}`);
    else e.removes.push(field('factorId'));
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tables.secrets, Key: this.key(tenantId, userId), ...e.update(), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return 'replaced' as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = itemOf(error)?.[attr.challenge(challengeId)] as ChallengeRecord | undefined;
      if (!current || current.status !== 'pending' || current.expiresAtMs <= update.sentAtMs) return 'not_pending' as const;
      if (update.resendLimit !== null && current.resends >= update.resendLimit) return 'limit' as const;
      return 'cooldown' as const;
    }
  }

  async restoreCode(tenantId: string, userId: string, previous: ChallengeRecord, replacedHash: string | undefined) {
    const e = new Expression();
    const field = (f: string) => e.name(attr.challenge(previous.challengeId), f);
    e.sets.push(`${field('method')} = ${e.value(previous.method)}`, `${field('expiresAtMs')} = ${e.value(previous.expiresAtMs)}`, `${field('resends')} = ${e.value(previous.resends)}`);
    for (const [f, value] of [['codeHash', previous.codeHash], ['factorId', previous.factorId], ['codeSentAtMs', previous.codeSentAtMs]] as const) {
      if (value === undefined) e.removes.push(field(f));
      else e.sets.push(`${field(f)} = ${e.value(value)}`);
    }
    e.conditions.push(`${field('status')} = ${e.value('pending')}`);
    if (replacedHash) e.conditions.push(`${field('codeHash')} = ${e.value(replacedHash)}`);
    await conditional(() => this.db.send(new UpdateCommand({ TableName: this.tables.secrets, Key: this.key(tenantId, userId), ...e.update() })));
  }

  async deletePending(tenantId: string, userId: string, challengeId: string) {
    const e = new Expression();
    const name = e.name(attr.challenge(challengeId));
    e.removes.push(name);
    e.conditions.push(`${e.name(attr.challenge(challengeId), 'status')} = ${e.value('pending')}`);
    await conditional(() => this.db.send(new UpdateCommand({ TableName: this.tables.secrets, Key: this.key(tenantId, userId), ...e.update() })));
  }
}

/** The item a failed condition saw (the SDK leaves it marshalled). */
export function itemOf(error: unknown): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, never> }).Item;
  return item ? unmarshall(item) : undefined;
}

/** A transaction cancelled by a failed condition on its first item: that item as it was. */
export function cancelledItem(error: unknown, index: number): Record<string, unknown> | undefined {
  const reason = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, never> }[] }).CancellationReasons?.[index];
  return reason?.Code === 'ConditionalCheckFailed' && reason.Item ? unmarshall(reason.Item) : undefined;
}

export function isCancelledOnCondition(error: unknown): boolean {
  const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (error as { name?: string }).name === 'TransactionCanceledException' && (reasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
}
