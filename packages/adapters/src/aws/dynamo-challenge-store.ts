import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChallengeStore } from '@twofold/core/ports';
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

  async markVerified(tenantId: string, challengeId: string, update: { verifiedAtMs: number; method: ChallengeRecord['method'] }) {
    const won = await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.challenge(tenantId, challengeId),
          UpdateExpression: 'SET #status = :verified, verifiedAtMs = :now, verifiedMethod = :method',
          ConditionExpression: '#status = :pending AND expiresAtMs > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':verified': 'verified', ':pending': 'pending', ':now': update.verifiedAtMs, ':method': update.method },
        }),
      ),
    );
    if (won) return 'verified' as const;
    const current = await this.get(tenantId, challengeId);
    if (!current) return 'not_found' as const;
    return current.status === 'verified' ? ('already_verified' as const) : ('expired' as const);
  }
}
