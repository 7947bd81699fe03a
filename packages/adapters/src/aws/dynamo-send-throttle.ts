import { createHash } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, type BatchGetCommandOutput, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendLimits, SendThrottle, SendTicket, ThrottleOutcome } from '@twofold/core/ports';
import { conditional } from './dynamo';

const HOUR_MS = 3_600_000;

/** How many items share a tenant's hourly count of sends. */
export const THROTTLE_SHARDS = 8;

/** The shard a destination's sends count the tenant total on first (its home shard). */
export const throttleHomeShard = (destinationKey: string): number => createHash('sha256').update(destinationKey).digest()[0]! % THROTTLE_SHARDS;

/** The throttle's items (attempts table), each with sk `H#<hour>` and its count in `sends`. */
export const throttleKeys = {
  user: (tenantId: string, userId: string) => `THROTTLE#${tenantId}#USER#${userId}`,
  destination: (tenantId: string, destinationKey: string) => `THROTTLE#${tenantId}#DEST#${destinationKey}`,
  tenantShard: (tenantId: string, shard: number) => `THROTTLE#${tenantId}#S${shard}`,
};

/** The adapter's ticket: which shard counted the tenant total, for `release`. */
interface ShardTicket extends SendTicket {
  readonly tenantShard: number;
}

/**
 * Shard n's exact part of the tenant's allowance: floor(allowance / S), plus one for the first
 * allowance % S shards. The parts sum to the allowance, and each only grows with it.
 */
export const tenantShare = (allowance: number, shard: number): number =>
  Math.max(0, Math.floor(allowance / THROTTLE_SHARDS) + (shard < allowance % THROTTLE_SHARDS ? 1 : 0));

/**
 * Velocity limits as sliding-window counters (the sliding hour is estimated from this hour's
 * count and the previous hour's count weighted by how much of it still falls in the window).
 * Each hour has, in the attempts table (sk `H#<hour>`, the count in `sends`, `ttl`):
 * - one item per user (`THROTTLE#<t>#USER#<u>`) and one per destination
 *   (`THROTTLE#<t>#DEST#<key>`): each of these limits lives in one item, so it is exact;
 * - THROTTLE_SHARDS items per tenant (`THROTTLE#<t>#S<n>`), whose counts sum to the
 *   tenant's count. Shard n may count at most its share of the tenant's allowance (`tenantShare`:
 *   the shares sum to the allowance), so the sum never exceeds it. A send counts the tenant on its
 *   destination's home shard (a hash), so sends spread over destinations spread their writes.
 *
 * A send: one BatchGetItem (this hour's and the previous hour's items of the user, the
 * destination and every shard: the carry, and the current counts) and, if nothing looks full,
 * three conditional writes in parallel (user, destination, home shard), each refusing past its
 * limit. When the home shard is full, the tenant is counted on another shard that looked to have
 * room, one after another until one takes it: the fallback is complete, the tenant is refused
 * only when every shard was seen full. What is kept, under any parallelism:
 * - this hour's count never exceeds the allowance (limit less the carried previous hour) a
 *   request computed, per user, per destination and per tenant, so never the limit;
 * - a refusal counts nothing: the writes that counted are taken back (and `release` takes back
 *   all three). Between a count and its take-back a parallel request may see the counter one
 *   higher and be refused while there was room; the same goes for a tenant refusal racing a
 *   take-back or a release (counts only grow otherwise, so a shard seen full stays full);
 * - a limit already reached is refused from the read alone, with no write: an attacker hammering a
 *   full destination (or the tenant at its cap) writes nothing.
 */
export class DynamoSendThrottle implements SendThrottle {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take({ tenantId, userId, destinationKey, nowMs, limits }: { tenantId: string; userId: string; destinationKey: string; nowMs: number; limits: SendLimits }): Promise<ThrottleOutcome> {
    const hour = Math.floor(nowMs / HOUR_MS);
    const userPk = throttleKeys.user(tenantId, userId);
    const destPk = throttleKeys.destination(tenantId, destinationKey);
    const shards = Array.from({ length: THROTTLE_SHARDS }, (_, n) => throttleKeys.tenantShard(tenantId, n));
    const counts = await this.read([userPk, destPk, ...shards], hour);
    const stillInWindow = 1 - (nowMs % HOUR_MS) / HOUR_MS;
    const carried = (n: number) => Math.floor(n * stillInWindow);
    const tenantAllowance = limits.perTenantPerHour - carried(shards.reduce((sum, pk) => sum + counts.previous(pk), 0));
    const allowance = {
      user: limits.perUserPerHour - carried(counts.previous(userPk)),
      destination: limits.perDestinationPerHour - carried(counts.previous(destPk)),
    };
    const retryAfterSeconds = Math.ceil((HOUR_MS - (nowMs % HOUR_MS)) / 1000);
    const ttl = Math.ceil(((hour + 2) * HOUR_MS) / 1000) + 3600;
    const refuse = (scope: 'user' | 'destination' | 'tenant'): ThrottleOutcome => ({ allowed: false, scope, retryAfterSeconds });

    // the shards that looked to have room, the home shard first (a stale read only shows less)
    const home = throttleHomeShard(destinationKey);
    const candidates = Array.from({ length: THROTTLE_SHARDS }, (_, i) => (home + i) % THROTTLE_SHARDS).filter(
      (n) => counts.current(shards[n]!) < tenantShare(tenantAllowance, n),
    );
    if (counts.current(userPk) >= allowance.user) return refuse('user');
    if (candidates.length === 0) return refuse('tenant');
    if (counts.current(destPk) >= allowance.destination) return refuse('destination');

    const [userCounted, destCounted, tenantShard] = await Promise.all([
      this.bump(userPk, hour, allowance.user, ttl),
      this.bump(destPk, hour, allowance.destination, ttl),
      (async () => {
        for (const n of candidates) if (await this.bump(shards[n]!, hour, tenantShare(tenantAllowance, n), ttl)) return n;
        return undefined;
      })(),
    ]);
    if (userCounted && destCounted && tenantShard !== undefined) {
      const ticket: ShardTicket = { tenantId, userId, destinationKey, nowMs, tenantShard };
      return { allowed: true, ticket };
    }
    await Promise.all([
      userCounted && this.uncount(userPk, hour),
      destCounted && this.uncount(destPk, hour),
      tenantShard !== undefined && this.uncount(shards[tenantShard]!, hour),
    ]);
    return refuse(!userCounted ? 'user' : tenantShard === undefined ? 'tenant' : 'destination');
  }

  async release(ticket: SendTicket): Promise<void> {
    const { tenantId, userId, destinationKey, nowMs } = ticket;
    const hour = Math.floor(nowMs / HOUR_MS);
    // a ticket this adapter gave out names the shard it counted on; any other, the destination's home shard
    const shard = 'tenantShard' in ticket && typeof ticket.tenantShard === 'number' ? ticket.tenantShard : throttleHomeShard(destinationKey);
    await Promise.all([
      this.uncount(throttleKeys.user(tenantId, userId), hour),
      this.uncount(throttleKeys.destination(tenantId, destinationKey), hour),
      this.uncount(throttleKeys.tenantShard(tenantId, shard), hour),
    ]);
  }

  /** This hour's and the previous hour's counts of these items (0 for an item not written), in one BatchGetItem. */
  private async read(pks: string[], hour: number): Promise<{ current(pk: string): number; previous(pk: string): number }> {
    const found = new Map<string, number>();
    let keys: Record<string, unknown>[] | undefined = pks.flatMap((pk) => [hour, hour - 1].map((h) => ({ pk, sk: `H#${h}` })));
    // keys DynamoDB left unprocessed are asked again; after three tries they count as 0: the
    // conditional writes still hold every limit on this hour, only the carry would be lighter
    for (let attempt = 0; keys?.length && attempt < 3; attempt++) {
      const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'pk, sk, sends' } } }),
      );
      for (const item of Responses?.[this.tableName] ?? []) found.set(`${item.pk as string} ${item.sk as string}`, (item.sends as number | undefined) ?? 0);
      keys = UnprocessedKeys?.[this.tableName]?.Keys;
    }
    const count = (pk: string, h: number) => found.get(`${pk} H#${h}`) ?? 0;
    return { current: (pk) => count(pk, hour), previous: (pk) => count(pk, hour - 1) };
  }

  /** Counts one on the hour's item unless it holds `allowed` already; false when refused. */
  private bump(pk: string, hour: number, allowed: number, ttl: number): Promise<boolean> {
    return conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: `H#${hour}` },
          UpdateExpression: 'ADD #n :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :allowed',
          ExpressionAttributeNames: { '#n': 'sends', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':allowed': allowed, ':ttl': ttl },
        }),
      ),
    );
  }

  /** Takes one back from the hour's counter, never below zero (a release after the item expired is a no-op). */
  private async uncount(pk: string, hour: number): Promise<void> {
    await conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: `H#${hour}` },
          UpdateExpression: 'ADD #n :minus',
          ConditionExpression: '#n > :zero',
          ExpressionAttributeNames: { '#n': 'sends' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      ),
    );
  }

  async forgetUser(tenantId: string, userId: string): Promise<void> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': throttleKeys.user(tenantId, userId) }, ProjectionExpression: 'pk, sk' }),
    );
    await Promise.all(Items.map((item) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }))));
  }
}
