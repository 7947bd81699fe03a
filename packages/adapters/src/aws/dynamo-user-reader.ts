import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { UserReader } from '@twofold/core/ports';
import type { FactorRecord, RecoverySet, UserAggregate, UserProfile, UserSummary } from '@twofold/core/records';
import { keys, userItem } from '../tables';
import { loginStateOf } from './dynamo-login-item';

export type Item = Record<string, unknown>;

/** An item without its keys. */
export const strip = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * A factor item as the record of its type: the type and what that type requires (a TOTP factor's
 * parameters, a code factor's destination) are checked; the rest is as written.
 */
function isFactorItem(item: Item): item is Item & FactorRecord {
  if (typeof item.factorId !== 'string' || typeof item.createdAtMs !== 'number') return false;
  switch (item.type) {
    case 'totp':
      return isObject(item.totp) && typeof item.totp.sealedSecret === 'string';
    case 'sms':
    case 'email':
      return typeof item.destination === 'string';
    case 'webauthn':
      return item.webauthn === undefined || isObject(item.webauthn);
    default:
      return false;
  }
}

function factorOf(item: Item): FactorRecord {
  const { pk: _pk, sk, ...rest } = item;
  if (!isFactorItem(rest)) throw new Error(`The factor item ${String(sk)} is not a factor of a known type.`);
  return rest;
}

/**
 * A user's items share one partition (`USER#tenant#user`), so one strongly consistent query
 * reads all of them: profile, factors, recovery codes and the login item with the challenges. Its own class (DynamoUserStore adds the writes) for the functions that
 * only read users: they carry this, not every write. That read is the first of every login's two
 * calls: it goes through `hot`, a plain client that keeps its resolved middleware
 * (cacheMiddleware), marshalled here; `db` is the DocumentClient of everything else.
 */
export class DynamoUserReader implements UserReader {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
    protected readonly hot: DynamoDBClient,
  ) {}

  protected key(tenantId: string, userId: string, sk: string) {
    return { pk: keys.userPartition(tenantId, userId), sk };
  }

  async load(tenantId: string, userId: string): Promise<UserAggregate> {
    const user: UserAggregate = { factors: [], challenges: [] };
    let login: ReturnType<typeof loginStateOf> | undefined;
    let startKey: Item | undefined;
    do {
      const page = await this.hot.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: marshall({ ':pk': keys.userPartition(tenantId, userId) }),
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: marshall(startKey) } : {}),
        }),
      );
      for (const item of (page.Items ?? []).map((i) => unmarshall(i))) {
        const sk = item.sk as string;
        if (sk === userItem.profile) {
          const { summary, summaryVersion, tenantKey: _t, userStatus: _s, enrolledTenant: _e, enrolledAt: _a, graceKey: _g, graceEndsAt: _d, twoFactorOn: _o, twoFactorChangedAtMs: _c, ...profile } = strip<Item>(item);
          user.profile = profile as unknown as UserProfile;
          if (summary) user.summary = summary as UserSummary;
          if (typeof summaryVersion === 'number') user.summaryVersion = summaryVersion;
        }
        else if (sk.startsWith('FACTOR#')) user.factors.push(factorOf(item));
        else if (sk === userItem.recovery) {
          const { hashes, ...rest } = strip<Omit<RecoverySet, 'hashes'> & { hashes?: Set<string> }>(item);
          user.recovery = { ...rest, hashes: [...(hashes ?? [])] };
        } else if (sk === userItem.login) login = loginStateOf(tenantId, userId, item);
      }
      startKey = page.LastEvaluatedKey && unmarshall(page.LastEvaluatedKey);
    } while (startKey);
    user.factors.sort((a, b) => a.createdAtMs - b.createdAtMs);
    // a passkey's signature counter lives in the login item too (0 until a login moves it)
    for (const factor of user.factors) {
      if (factor.type === 'webauthn' && factor.webauthn) factor.webauthn = { ...factor.webauthn, signCount: login?.signs[factor.factorId] ?? 0 };
    }
    if (login) {
      user.challenges = login.challenges;
      user.challengeRevision = login.challengeRevision;
      if (login.failures) user.failures = login.failures;
      // a factor's last use lives in the login item, where a login's one write moves it
      for (const factor of user.factors) {
        const step = login.steps[factor.factorId];
        const used = login.used[factor.factorId];
        if (step !== undefined) factor.lastUsedStep = step;
        if (used !== undefined) factor.lastUsedAtMs = used;
      }
    }
    return user;
  }

  /**
   * Many users at once (an import): which of them have a profile is one strongly consistent
   * BatchGetItem a hundred users; only those are read in full. A user without a profile has no
   * factors or recovery codes (every change that writes them creates the profile).
   */
  async loadMany(tenantId: string, userIds: string[]): Promise<UserAggregate[]> {
    const users: UserAggregate[] = [];
    for (let i = 0; i < userIds.length; i += BATCH_GET_KEYS) {
      const ids = userIds.slice(i, i + BATCH_GET_KEYS);
      const present = new Set<string>();
      let request: { Keys: Item[]; ConsistentRead: boolean; ProjectionExpression: string } | undefined = {
        Keys: ids.map((userId) => this.key(tenantId, userId, userItem.profile)),
        ConsistentRead: true,
        ProjectionExpression: 'userId',
      };
      for (let tries = 0; request; tries++) {
        if (tries >= 10) throw new Error('DynamoDB left profile reads unprocessed');
        const out: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: request } }));
        for (const item of out.Responses?.[this.tableName] ?? []) present.add(String(item.userId));
        request = out.UnprocessedKeys?.[this.tableName] as typeof request;
      }
      users.push(...(await Promise.all(ids.map((userId) => (present.has(userId) ? this.load(tenantId, userId) : { factors: [], challenges: [] })))));
    }
    return users;
  }
}

/** DynamoDB's BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
