import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeOutcome, UserChange, UserStore } from '@twofold/core/ports';
import type { UserStatus } from '@twofold/contract/schemas';
import type { UserSummary } from '@twofold/core/records';
import { keys, userItem } from '../tables';
import { cancelledItem, isCancelledOnCondition } from './dynamo-challenge-store';
import { conditional, decodeCursor, encodeCursor, isConditionFailure } from './dynamo';
import { deviceItems } from './dynamo-device-store';
import { eventItem } from './dynamo-event-outbox';
import { applyLoginPatch, Expression, refusalOf } from './dynamo-login-item';
import { DynamoUserReader, type Item } from './dynamo-user-reader';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The tables a user change writes: the user's partition, their devices, the events. */
export interface UserTables {
  secrets: string;
  devices: string;
  events: string;
}

/** DynamoDB takes at most 100 items in one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

/** commitMany's transactions in flight at once: DynamoDB overlaps them; DynamoDB Local runs them one by one anyway. */
const TRANSACTIONS_IN_FLIGHT = 4;

/**
 * A user change is one TransactWriteItems: the profile (conditional on the revision, which it
 * moves on), factors, recovery codes, the login item, the passkey credential ids claimed and
 * released, devices, the events and the overview counter shard. The profile comes first, the
 * login item second: a cancelled transaction says which condition failed by its position.
 * An import commits many users' changes a transaction (commitMany).
 */
export class DynamoUserStore extends DynamoUserReader implements UserStore {
  private readonly tables: UserTables;

  constructor(db: DynamoDBDocumentClient, tables: UserTables, hot: DynamoDBClient) {
    super(db, tables.secrets, hot);
    this.tables = tables;
  }

  async commit(change: UserChange): Promise<ChangeOutcome> {
    const { items, claimsFrom, claimsTo } = this.itemsOf(change);
    const counters = this.countersUpdate(change.tenantId, keys.statsShard(change.userId), change.stats);
    if (counters) items.push(counters);
    if (items.length > MAX_TRANSACTION_ITEMS) throw new Error(`a user change of ${items.length} items is more than one transaction takes`);

    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items as never }));
      return 'committed';
    } catch (error) {
      if (!isCancelledOnCondition(error)) throw error;
      const login = change.login?.complete;
      const loginIndex = items.findIndex((item) => (item.Update as { Key?: { sk?: string } } | undefined)?.Key?.sk === userItem.login);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'None' && reasons.slice(claimsFrom, claimsTo).some((r) => r.Code === 'ConditionalCheckFailed')) return 'credential_taken';
      // the revision moved (or a racing transaction held an item): decide again on a new read
      if (!login || loginIndex < 0 || reasons[0]?.Code !== 'None' || reasons[loginIndex]?.Code !== 'ConditionalCheckFailed') return 'conflict';
      return { refused: refusalOf(login, cancelledItem(error, loginIndex) ?? {}, login.verifiedAtMs) };
    }
  }

  /**
   * Several users' changes in as few transactions as DynamoDB takes (100 items each): each
   * transaction all or nothing, the overview counters of its changes added up per shard (a
   * transaction may not name one item twice). A transaction that a condition or a store failure
   * stopped commits none of its changes as far as the caller knows: their entries are false, to
   * be decided again on a new read (and committed one by one).
   */
  async commitMany(changes: UserChange[]): Promise<boolean[]> {
    const packs: { at: number[]; items: Record<string, unknown>[]; counters: Map<number, Record<string, number>> }[] = [];
    let pack: (typeof packs)[number] | undefined;
    changes.forEach((change, at) => {
      if (change.login) throw new Error('a change with a login part commits on its own');
      if (change.tenantId !== changes[0]?.tenantId) throw new Error('the changes committed together are of one tenant');
      const { items } = this.itemsOf(change);
      const shard = keys.statsShard(change.userId);
      const moves = Object.keys(change.stats).length > 0;
      const size = (p: typeof pack) => (p ? p.items.length + p.counters.size : 0);
      if (!pack || size(pack) + items.length + (moves && !pack.counters.has(shard) ? 1 : 0) > MAX_TRANSACTION_ITEMS) packs.push((pack = { at: [], items: [], counters: new Map() }));
      if (items.length + (moves ? 1 : 0) > MAX_TRANSACTION_ITEMS) throw new Error(`a user change of ${items.length} items is more than one transaction takes`);
      pack.at.push(at);
      pack.items.push(...items);
      if (moves) {
        const sum = pack.counters.get(shard) ?? {};
        for (const [name, delta] of Object.entries(change.stats)) sum[name] = (sum[name] ?? 0) + delta;
        pack.counters.set(shard, sum);
      }
    });
    const committed = changes.map(() => false);
    const tenantId = changes[0]?.tenantId ?? '';
    const worker = async () => {
      for (let p = packs.shift(); p; p = packs.shift()) {
        const counters = [...p.counters].flatMap(([shard, delta]) => this.countersUpdate(tenantId, shard, delta) ?? []);
        try {
          await this.db.send(new TransactWriteCommand({ TransactItems: [...p.items, ...counters] as never }));
          for (const at of p.at) committed[at] = true;
        } catch {
          // cancelled, or failed before or after it took effect: the caller reads these users again
        }
      }
    };
    await Promise.all(Array.from({ length: TRANSACTIONS_IN_FLIGHT }, worker));
    return committed;
  }

  private countersUpdate(tenantId: string, shard: number, stats: Record<string, number>): Record<string, unknown> | undefined {
    const counters = Object.entries(stats);
    if (counters.length === 0) return undefined;
    const e = new Expression();
    for (const [name, delta] of counters) e.adds.push(`${e.name(`count:${name}`)} ${e.value(delta)}`);
    return { Update: { TableName: this.tableName, Key: keys.stats(tenantId, shard), ...e.update() } };
  }

  /** The items of a change but its counters; claimsFrom..claimsTo are the credential claims. */
  private itemsOf(change: UserChange): { items: Record<string, unknown>[]; claimsFrom: number; claimsTo: number } {
    const { tenantId, userId } = change;
    const profileKey = this.key(tenantId, userId, userItem.profile);
    const items: Record<string, unknown>[] = [
      change.erase
        ? { Delete: { TableName: this.tableName, Key: profileKey, ...this.revisionCheck(change.revision) } }
        : { Update: { TableName: this.tableName, Key: profileKey, ...this.profileUpdate(change).update() } },
    ];
    if (change.login) {
      const Key = this.key(tenantId, userId, userItem.login);
      if (change.login.delete) items.push({ Delete: { TableName: this.tableName, Key } });
      else {
        const e = new Expression();
        applyLoginPatch(e, change.login, change.login.complete?.verifiedAtMs ?? 0);
        if (e.sets.length || e.removes.length) items.push({ Update: { TableName: this.tableName, Key, ...e.update(), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } });
      }
    }
    for (const factor of change.putFactors ?? []) {
      // the last use of a factor, and a passkey's signature counter, live in the login item
      const { lastUsedStep: _s, lastUsedAtMs: _u, ...stored } = factor;
      let item: Record<string, unknown> = stored;
      if (factor.type === 'webauthn' && factor.webauthn) {
        const { signCount: _c, ...credential } = factor.webauthn;
        item = { ...stored, webauthn: credential };
      }
      items.push({ Put: { TableName: this.tableName, Item: { ...this.key(tenantId, userId, userItem.factor(factor.factorId)), ...item } } });
    }
    for (const factorId of change.deleteFactors ?? []) items.push({ Delete: { TableName: this.tableName, Key: this.key(tenantId, userId, userItem.factor(factorId)) } });
    const recovery = change.recovery;
    const recoveryKey = this.key(tenantId, userId, userItem.recovery);
    if (recovery && 'put' in recovery) items.push({ Put: { TableName: this.tableName, Item: { ...recoveryKey, ...recovery.put, hashes: new Set(recovery.put.hashes) } } });
    else if (recovery && 'remove' in recovery) items.push({ Delete: { TableName: this.tableName, Key: recoveryKey } });
    else if (recovery && 'spend' in recovery) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: recoveryKey,
          UpdateExpression: 'DELETE hashes :set',
          ConditionExpression: 'contains(hashes, :hash)',
          ExpressionAttributeValues: { ':set': new Set([recovery.spend]), ':hash': recovery.spend },
        },
      });
    }
    const claimsFrom = items.length;
    for (const { credentialId, factorId } of change.credentials?.claim ?? []) {
      items.push({ Put: { TableName: this.tableName, Item: { ...keys.credentialHolder(tenantId, credentialId), tenantId, userId, factorId }, ConditionExpression: 'attribute_not_exists(pk)' } });
    }
    const claimsTo = items.length;
    for (const { credentialId, factorId } of change.credentials?.release ?? []) {
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: keys.credentialHolder(tenantId, credentialId),
          // only the holder gives it up (a passkey from before the holder items has none)
          ConditionExpression: 'attribute_not_exists(pk) OR (userId = :user AND factorId = :factor)',
          ExpressionAttributeValues: { ':user': userId, ':factor': factorId },
        },
      });
    }
    const devices = change.devices;
    if (devices?.add) items.push({ Put: { TableName: this.tables.devices, Item: deviceItems.device(tenantId, userId, devices.add) } });
    if (devices?.rememberIp) items.push({ Update: { TableName: this.tables.devices, ...deviceItems.rememberIp(tenantId, userId, devices.rememberIp) } });
    for (const deviceId of devices?.remove ?? []) items.push({ Delete: { TableName: this.tables.devices, Key: deviceItems.deviceKey(tenantId, userId, deviceId) } });
    for (const ip of devices?.forgetIps ?? []) items.push({ Delete: { TableName: this.tables.devices, Key: deviceItems.ipKey(tenantId, userId, ip) } });
    for (const event of change.events) items.push({ Put: { TableName: this.tables.events, Item: eventItem(event, change.auditRetentionDays) } });
    return { items, claimsFrom, claimsTo };
  }

  /** Only if the user's revision is still `revision` (0: no revision yet). */
  private revisionCheck(revision: number) {
    return revision === 0
      ? { ConditionExpression: 'attribute_not_exists(summaryVersion)' }
      : { ConditionExpression: 'summaryVersion = :revision', ExpressionAttributeValues: { ':revision': revision } };
  }

  /**
   * The profile's part: the fields the change sets, the summary and the index attributes it
   * implies (`tenantKey` every user by tenant, `enrolledTenant`/`enrolledAt` enrolled users,
   * `graceKey`/`graceEndsAt` users the scheduled job must find by their deadline), and the
   * revision, moved on only if it is still the one the change was decided on.
   */
  private profileUpdate(change: UserChange): Expression {
    const { tenantId, userId, summary } = change;
    const e = new Expression();
    const { createdAtMs, ...fields } = change.profile ?? {};
    if (createdAtMs !== undefined) e.sets.push(`${e.name('createdAtMs')} = if_not_exists(${e.name('createdAtMs')}, ${e.value(createdAtMs)})`);
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) e.removes.push(e.name(name));
      else e.sets.push(`${e.name(name)} = ${e.value(value)}`);
    }
    const tenant = e.value(tenantId);
    e.sets.push(
      `${e.name('tenantId')} = ${tenant}`,
      `${e.name('userId')} = ${e.value(userId)}`,
      `${e.name('summary')} = ${e.value(summary)}`,
      `${e.name('summaryVersion')} = ${e.value(change.revision + 1)}`,
      `${e.name('tenantKey')} = ${tenant}`,
      `${e.name('userStatus')} = ${e.value(summary.status)}`,
    );
    if (summary.status === 'enrolled' && summary.enrolledAtMs !== null) {
      e.sets.push(`${e.name('enrolledTenant')} = ${tenant}`, `${e.name('enrolledAt')} = ${e.value(new Date(summary.enrolledAtMs).toISOString())}`);
    } else e.removes.push(e.name('enrolledTenant'), e.name('enrolledAt'));
    if (change.inGraceIndex && summary.graceEndsAtMs !== null) {
      e.sets.push(`${e.name('graceKey')} = ${e.value(keys.graceShard(tenantId, userId))}`, `${e.name('graceEndsAt')} = ${e.value(new Date(summary.graceEndsAtMs).toISOString())}`);
    } else e.removes.push(e.name('graceKey'), e.name('graceEndsAt'));
    const version = e.name('summaryVersion');
    e.conditions.push(change.revision === 0 ? `attribute_not_exists(${version})` : `${version} = ${e.value(change.revision)}`);
    return e;
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

  async summaries(tenantId: string, cursor: string | undefined, limit: number) {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'by-tenant',
        KeyConditionExpression: 'tenantKey = :tenant',
        ExpressionAttributeValues: { ':tenant': tenantId },
        ProjectionExpression: 'summary, pk, sk, tenantKey, userId',
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, { tenantKey: tenantId }) } : {}),
      }),
    );
    return { summaries: (page.Items ?? []).flatMap((item) => (item.summary ? [item.summary as UserSummary] : [])), nextCursor: encodeCursor(page.LastEvaluatedKey) };
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
