import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeStore, CodeUpdate } from '@twofold/core/ports';
import type { ChallengeRecord } from '@twofold/core/records';
import { keys } from '../tables';
import { conditional } from './dynamo';

/** Challenges stay readable for a day after they expire, then DynamoDB's TTL removes them. */
const KEEP_AFTER_EXPIRY_SECONDS = 86_400;

export class DynamoChallengeStore implements ChallengeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(challenge: ChallengeRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.challenge(challenge.tenantId, challenge.challengeId),
          ...challenge,
          ttl: Math.ceil(challenge.expiresAtMs / 1000) + KEEP_AFTER_EXPIRY_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(tenantId: string, challengeId: string): Promise<ChallengeRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.challenge(tenantId, challengeId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, ...record } = Item;
    return record as ChallengeRecord;
  }

  async markVerified(
    tenantId: string,
    challengeId: string,
    update: { verifiedAtMs: number; method: ChallengeRecord['method']; expectedCodeHash?: string },
  ) {
    const won = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.challenge(tenantId, challengeId),
          UpdateExpression: 'SET #status = :verified, verifiedAtMs = :now, verifiedMethod = :method',
          ConditionExpression: `#status = :pending AND expiresAtMs > :now${update.expectedCodeHash ? ' AND codeHash = :code' : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':verified': 'verified',
            ':pending': 'pending',
            ':now': update.verifiedAtMs,
            ':method': update.method,
            ...(update.expectedCodeHash ? { ':code': update.expectedCodeHash } : {}),
          },
        }),
      ),
    );
    if (won) return 'verified' as const;
    const current = await this.get(tenantId, challengeId);
    if (!current) return 'not_found' as const;
    if (current.status === 'verified') return 'already_verified' as const;
    if (current.expiresAtMs <= update.verifiedAtMs) return 'expired' as const;
    return 'code_replaced' as const;
  }

  async replaceCode(tenantId: string, challengeId: string, update: CodeUpdate) {
    const conditions = ['#status = :pending', 'expiresAtMs > :now'];
    const values: Record<string, unknown> = { ':pending': 'pending', ':now': update.sentAtMs, ':method': update.method, ':exp': update.expiresAtMs };
    const sets = ['#method = :method', 'expiresAtMs = :exp', '#ttl = :ttl'];
    values[':ttl'] = Math.ceil(update.expiresAtMs / 1000) + KEEP_AFTER_EXPIRY_SECONDS;
    const removes: string[] = [];
    if (update.countsAsResend) {
      sets.push('resends = resends + :one', 'codeSentAtMs = :now');
      values[':one'] = 1;
      if (update.resendLimit !== null) {
        conditions.push('resends < :limit');
        values[':limit'] = update.resendLimit;
      }
      conditions.push('(attribute_not_exists(codeSentAtMs) OR codeSentAtMs <= :cooldownEdge)');
      values[':cooldownEdge'] = update.sentAtMs - update.cooldownSeconds * 1000;
    }
    if (update.codeHash) {
      sets.push('codeHash = :code');
      values[':code'] = update.codeHash;
    } else removes.push('codeHash');
    if (update.factorId) {
      sets.push('factorId = :factor');
      values[':factor'] = update.factorId;
    } else removes.push('factorId');
    const replaced = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.challenge(tenantId, challengeId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#status': 'status', '#method': 'method', '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (replaced) return 'replaced' as const;
    const current = await this.get(tenantId, challengeId);
    if (!current || current.status !== 'pending' || current.expiresAtMs <= update.sentAtMs) return 'not_pending' as const;
    if (update.resendLimit !== null && current.resends >= update.resendLimit) return 'limit' as const;
    return 'cooldown' as const;
  }

  async restoreCode(tenantId: string, challengeId: string, previous: ChallengeRecord, replacedHash: string | undefined) {
    const values: Record<string, unknown> = {
      ':method': previous.method,
      ':exp': previous.expiresAtMs,
      ':resends': previous.resends,
      ':ttl': Math.ceil(previous.expiresAtMs / 1000) + KEEP_AFTER_EXPIRY_SECONDS,
      ':pending': 'pending',
    };
    const sets = ['#method = :method', 'expiresAtMs = :exp', 'resends = :resends', '#ttl = :ttl'];
    const removes: string[] = [];
    for (const [attr, value] of [['codeHash', previous.codeHash], ['factorId', previous.factorId], ['codeSentAtMs', previous.codeSentAtMs]] as const) {
      if (value === undefined) removes.push(attr);
      else {
        sets.push(`${attr} = :${attr}`);
        values[`:${attr}`] = value;
      }
    }
    if (replacedHash) values[':replaced'] = replacedHash;
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.challenge(tenantId, challengeId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: `#status = :pending${replacedHash ? ' AND codeHash = :replaced' : ''}`,
          ExpressionAttributeNames: { '#status': 'status', '#method': 'method', '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async deletePending(tenantId: string, challengeId: string) {
    await conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.challenge(tenantId, challengeId),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      ),
    );
  }
}
