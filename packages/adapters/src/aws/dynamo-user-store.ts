import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { FailureOutcome, UserStore } from '@twofold/core/ports';
import type { UserStatus } from '@twofold/contract/schemas';
import type { FactorRecord, RecoverySet, UserProfile, UserSummary, WebauthnCredentialRecord } from '@twofold/core/records';
import type { CredentialUse } from '@twofold/core/webauthn-relying-party';
import { keys, userItem } from '../tables';
import { conditional, decodeCursor, encodeCursor, isConditionFailure } from './dynamo';
import { DynamoUserReader, strip, type Item } from './dynamo-user-reader';

/** Each state change is a single conditional write on one item of the user's partition. */
export class DynamoUserStore extends DynamoUserReader implements UserStore {
  async putProfile(profile: UserProfile): Promise<UserProfile> {
    const { tenantId, userId, createdAtMs, ...fields } = profile;
    const names: Record<string, string> = {};
    const values: Item = { ':createdAtMs': createdAtMs, ':tenantId': tenantId, ':userId': userId };
    const sets = ['createdAtMs = if_not_exists(createdAtMs, :createdAtMs)', 'tenantId = :tenantId', 'userId = :userId'];
    const removes: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      if (value === undefined) removes.push(`#${name}`);
      else {
        values[`:${name}`] = value;
        sets.push(`#${name} = :${name}`);
      }
    }
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(tenantId, userId, userItem.profile),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<UserProfile>(Attributes!);
  }

  async ensureProfile(tenantId: string, userId: string, nowMs: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(tenantId, userId, userItem.profile), tenantId, userId, roles: [], sso: false, createdAtMs: nowMs, updatedAtMs: nowMs },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async addFactor(tenantId: string, userId: string, factor: FactorRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...this.key(tenantId, userId, userItem.factor(factor.factorId)), ...factor },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  activateFactor(
    tenantId: string,
    userId: string,
    factorId: string,
    update: { step?: number; nowMs: number; expectedCodeHash?: string; webauthn?: { expectedChallenge: string; credential: WebauthnCredentialRecord } },
  ): Promise<boolean> {
    const sets = ['#status = :active', 'activatedAtMs = :now'];
    const values: Record<string, unknown> = { ':active': 'active', ':pending': 'pending', ':now': update.nowMs };
    let condition = '#status = :pending';
    if (update.webauthn) {
      // the registration challenge is spent with the activation: a response is accepted once
      sets.push('webauthn = :credential');
      condition += ' AND webauthnChallenge = :challenge AND codeExpiresAtMs > :now';
      values[':credential'] = update.webauthn.credential;
      values[':challenge'] = update.webauthn.expectedChallenge;
    }
    if (update.step !== undefined) {
      sets.push('lastUsedStep = :step');
      values[':step'] = update.step;
    }
    if (update.expectedCodeHash) {
      condition += ' AND codeHash = :code AND codeExpiresAtMs > :now';
      values[':code'] = update.expectedCodeHash;
    }
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(factorId)),
          // the confirmation code is spent with the activation
          UpdateExpression: `SET ${sets.join(', ')} REMOVE codeHash, codeExpiresAtMs, webauthnChallenge`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  replaceFactorCode(tenantId: string, userId: string, factorId: string, code: { codeHash: string; codeExpiresAtMs: number }): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(factorId)),
          UpdateExpression: 'SET codeHash = :code, codeExpiresAtMs = :exp',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':code': code.codeHash, ':exp': code.codeExpiresAtMs, ':pending': 'pending' },
        }),
      ),
    );
  }

  async countFactorFailure(tenantId: string, userId: string, factorId: string, maxAttempts: number): Promise<number | false> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(factorId)),
          UpdateExpression: 'SET failedAttempts = failedAttempts + :one',
          ConditionExpression: '#status = :pending AND failedAttempts < :max',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':pending': 'pending', ':max': maxAttempts },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Attributes!.failedAttempts as number;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  useTotpStep(tenantId: string, userId: string, factorId: string, step: number, nowMs: number): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(factorId)),
          UpdateExpression: 'SET lastUsedStep = :step, lastUsedAtMs = :now',
          ConditionExpression: '#status = :active AND (attribute_not_exists(lastUsedStep) OR lastUsedStep < :step)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':step': step, ':now': nowMs, ':active': 'active' },
        }),
      ),
    );
  }

  useWebauthnCredential(tenantId: string, userId: string, use: CredentialUse): Promise<boolean> {
    const sets = ['webauthn.signCount = :count', 'lastUsedAtMs = :now'];
    const values: Record<string, unknown> = { ':count': use.signCount, ':expected': use.expectedSignCount, ':now': use.nowMs, ':active': 'active', ':zero': 0 };
    if (use.sealed) {
      sets.push('webauthn.sealed = :sealed');
      values[':sealed'] = use.sealed;
    }
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(use.factorId)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          // the counter the signature was checked against: of two signatures accepted at once, one
          // moves it; and it only ever moves forward (or stays 0: WebAuthn §6.1.1), whatever the caller checked
          ConditionExpression: '#status = :active AND webauthn.signCount = :expected AND (webauthn.signCount < :count OR webauthn.signCount = :zero)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  deleteFactor(tenantId: string, userId: string, factorId: string): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.factor(factorId)),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  }

  putRecoverySet(tenantId: string, userId: string, set: RecoverySet, options: { onlyIfAbsent?: boolean } = {}): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(tenantId, userId, userItem.recovery), ...set, hashes: new Set(set.hashes) },
          ...(options.onlyIfAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      ),
    );
  }

  async spendRecoveryCode(tenantId: string, userId: string, codeHash: string): Promise<number | false> {
    let left = 0;
    const spent = await conditional(async () => {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.recovery),
          UpdateExpression: 'DELETE hashes :set',
          ConditionExpression: 'contains(hashes, :hash)',
          ExpressionAttributeValues: { ':set': new Set([codeHash]), ':hash': codeHash },
          // the set as this write left it (DynamoDB drops an emptied set: then none are left)
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      left = (Attributes?.hashes as Set<string> | undefined)?.size ?? 0;
    });
    return spent ? left : false;
  }

  switchTwoFactor(tenantId: string, userId: string, on: boolean, nowMs: number): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.profile),
          UpdateExpression: 'SET twoFactorOn = :on, twoFactorChangedAtMs = :now',
          // users enrolled before the flag existed have none: treated as on
          ConditionExpression: on ? 'attribute_exists(pk) AND (attribute_not_exists(twoFactorOn) OR twoFactorOn = :off)' : 'attribute_exists(pk) AND (attribute_not_exists(twoFactorOn) OR twoFactorOn = :onValue)',
          ExpressionAttributeValues: { ':on': on, ':now': nowMs, ...(on ? { ':off': false } : { ':onValue': true }) },
        }),
      ),
    );
  }

  async deleteRecoverySet(tenantId: string, userId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(tenantId, userId, userItem.recovery) }));
  }

  async countLoginFailure(
    tenantId: string,
    userId: string,
    { maxAttempts, lockoutSeconds, nowMs }: { maxAttempts: number; lockoutSeconds: number; nowMs: number },
  ): Promise<FailureOutcome> {
    const Key = this.key(tenantId, userId, userItem.failures);
    const windowEndsAtMs = nowMs + lockoutSeconds * 1000;
    const values = { ':one': 1, ':now': nowMs, ':end': windowEndsAtMs, ':max': maxAttempts };
    // Two single-item conditional writes, tried in turn: start a window where none is live,
    // or count one more in the live window while it is under the limit. Whichever holds, the
    // count never passes maxAttempts, however many requests race.
    for (let round = 0; round < 4; round++) {
      const started = await conditional(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...Key, failures: 1, maxAttempts, windowEndsAtMs },
            ConditionExpression: 'attribute_not_exists(pk) OR windowEndsAtMs <= :now',
            ExpressionAttributeValues: { ':now': nowMs },
          }),
        ),
      );
      if (started) return { counted: true, failures: 1, windowEndsAtMs };
      try {
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET failures = failures + :one, windowEndsAtMs = :end, maxAttempts = :max',
            ConditionExpression: 'windowEndsAtMs > :now AND failures < :max',
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { counted: true, failures: Attributes!.failures as number, windowEndsAtMs };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
      if (Item && (Item.windowEndsAtMs as number) > nowMs && (Item.failures as number) >= maxAttempts) {
        return { counted: false, reason: 'locked', lockedUntilMs: Item.windowEndsAtMs as number };
      }
    }
    // the state kept moving under us: treat it as locked rather than count without a limit
    return { counted: false, reason: 'locked', lockedUntilMs: windowEndsAtMs };
  }

  async clearLoginFailures(tenantId: string, userId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(tenantId, userId, userItem.failures) }));
  }

  async deleteTwoFactorState(tenantId: string, userId: string): Promise<void> {
    const pk = keys.userPartition(tenantId, userId);
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      }),
    );
    const doomed = Items.filter((i) => i.sk !== userItem.profile);
    for (let i = 0; i < doomed.length; i += 25) {
      let requests: Item[] | undefined = doomed.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
      for (let tries = 0; requests?.length && tries < 5; tries++) {
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = out.UnprocessedItems?.[this.tableName] as Item[] | undefined;
      }
      if (requests?.length) throw new Error('DynamoDB left deletes unprocessed');
    }
  }

  /**
   * The summary and the index attributes it implies, in one conditional write on the profile:
   * `tenantKey` (every user, by tenant), `enrolledTenant`/`enrolledAt` (enrolled users) and
   * `graceKey`/`graceEndsAt` (users the scheduled job must find by their deadline).
   */
  saveSummary(tenantId: string, userId: string, summary: UserSummary, options: { expectedVersion: number; inGraceIndex: boolean }): Promise<boolean> {
    const sets = ['summary = :summary', 'summaryVersion = :next', 'tenantKey = :tenant', 'userStatus = :status'];
    const removes: string[] = [];
    const values: Item = { ':summary': summary, ':next': options.expectedVersion + 1, ':tenant': tenantId, ':status': summary.status };
    if (summary.status === 'enrolled' && summary.enrolledAtMs !== null) {
      sets.push('enrolledTenant = :tenant', 'enrolledAt = :enrolledAt');
      values[':enrolledAt'] = new Date(summary.enrolledAtMs).toISOString();
    } else removes.push('enrolledTenant', 'enrolledAt');
    if (options.inGraceIndex && summary.graceEndsAtMs !== null) {
      sets.push('graceKey = :graceKey', 'graceEndsAt = :graceEndsAt');
      values[':graceKey'] = keys.graceShard(tenantId, userId);
      values[':graceEndsAt'] = new Date(summary.graceEndsAtMs).toISOString();
    } else removes.push('graceKey', 'graceEndsAt');
    let condition = 'attribute_exists(pk) AND ';
    if (options.expectedVersion === 0) condition += 'attribute_not_exists(summaryVersion)';
    else {
      condition += 'summaryVersion = :expected';
      values[':expected'] = options.expectedVersion;
    }
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(tenantId, userId, userItem.profile),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Through the `by-tenant` index. A status or role filter is applied as DynamoDB reads, so a
   * query is asked for at most the rows still missing and a page never overshoots its limit.
   */
  async listUsers(tenantId: string, query: { status?: UserStatus; role?: string; cursor?: string; limit: number }) {
    const filters: string[] = [];
    const values: Item = { ':tenant': tenantId };
    if (query.status) {
      filters.push('userStatus = :status');
      values[':status'] = query.status;
    }
    if (query.role) {
      filters.push('contains(#roles, :role)');
      values[':role'] = query.role;
    }
    const userIds: string[] = [];
    let startKey = query.cursor ? decodeCursor(query.cursor, { tenantKey: tenantId }) : undefined;
    for (let round = 0; round < 20 && userIds.length < query.limit; round++) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'by-tenant',
          KeyConditionExpression: 'tenantKey = :tenant',
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(query.role ? { ExpressionAttributeNames: { '#roles': 'roles' } } : {}),
          ExpressionAttributeValues: values,
          ProjectionExpression: 'userId, pk, sk, tenantKey',
          Limit: query.limit - userIds.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) userIds.push(item.userId as string);
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { userIds, nextCursor: encodeCursor(startKey) };
  }
}
