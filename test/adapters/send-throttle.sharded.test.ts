/**
 * The DynamoDB send throttle against DynamoDB Local through the real SDK: the tenant's hourly
 * count is sharded over THROTTLE_SHARDS items, yet every limit stays exact under parallel
 * takes (the tenant's, whatever the spread of destinations over shards, and each
 * destination's); sends over many destinations spread the tenant's writes evenly over the
 * shards; refusals and releases leave every counter as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, DynamoSendThrottle, THROTTLE_SHARDS, throttleHomeShard, throttleKeys } from '@twofold/adapters';
import type { SendLimits, ThrottleOutcome } from '@twofold/core';
import { startLocalDynamo, type LocalDynamo } from '@twofold/local/dynamodb-local';

const HOUR_MS = 3_600_000;
const ON_THE_HOUR = Date.UTC(2026, 11, 2, 10, 0, 0);
const HOUR = ON_THE_HOUR / HOUR_MS;
const open: SendLimits = { perUserPerHour: 1000, perDestinationPerHour: 1000, perTenantPerHour: 100_000 };

let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let table: string;
let throttle: DynamoSendThrottle;
/** Every UpdateItem sent (counted or refused), by item. */
const writes = new Map<string, number>();
let tenantSeq = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  db = documentClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  db.send = ((command: unknown) => {
    if (command instanceof UpdateCommand) {
      const key = `${command.input.Key!.pk as string} ${command.input.Key!.sk as string}`;
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    return send(command);
  }) as typeof db.send;
  table = dynamo.tableNames.attempts;
  throttle = new DynamoSendThrottle(db, table);
});
afterAll(() => dynamo.stop());

const newTenant = () => `tn_throttle_${++tenantSeq}`;
/** Destination keys (as the core makes them: 22 base64url characters), optionally all homed on one shard. */
const destinations = (count: number, homeShard?: number): string[] => {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    const key = `dest${String(i).padStart(18, '0')}`;
    if (homeShard === undefined || throttleHomeShard(key) === homeShard) found.push(key);
  }
  return found;
};
const count = async (pk: string, hour = HOUR): Promise<number> =>
  ((await db.send(new GetCommand({ TableName: table, Key: { pk, sk: `H#${hour}` }, ConsistentRead: true }))).Item?.sends as number | undefined) ?? 0;
const shardCounts = (tenantId: string, hour = HOUR) => Promise.all(Array.from({ length: THROTTLE_SHARDS }, (_, n) => count(throttleKeys.tenantShard(tenantId, n), hour)));
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
const allowed = (outcomes: ThrottleOutcome[]) => outcomes.filter((o) => o.allowed);
const take = (tenantId: string, userId: string, destinationKey: string, limits: Partial<SendLimits>, nowMs = ON_THE_HOUR) =>
  throttle.take({ tenantId, userId, destinationKey, nowMs, limits: { ...open, ...limits } });

describe('the tenant limit is exact in parallel, however the destinations fall on the shards', () => {
  it.each([
    ['spread over every shard', undefined],
    ['all homed on one shard (every send past its share falls back to the others)', 5],
  ])('100 parallel sends of 100 users to 100 destinations %s, limit 20: exactly 20 go through', async (_, home) => {
    const tenantId = newTenant();
    const outcomes = await Promise.all(destinations(100, home).map((d, i) => take(tenantId, `u${i}`, d, { perTenantPerHour: 20 })));
    expect(allowed(outcomes)).toHaveLength(20);
    expect(outcomes.filter((o) => !o.allowed && o.scope === 'tenant')).toHaveLength(80);
    const shards = await shardCounts(tenantId);
    expect(sum(shards)).toBe(20);
    // the fallback filled every shard to its share (20 = 3 + 3 + 3 + 3 + 2 + 2 + 2 + 2)
    expect(shards).toEqual([3, 3, 3, 3, 2, 2, 2, 2]);
    // nothing refused stayed counted on a user or a destination
    const taken = outcomes.flatMap((o) => (o.allowed ? [o.ticket] : []));
    expect(sum(await Promise.all(taken.map((t) => count(throttleKeys.user(tenantId, t.userId)))))).toBe(20);
    expect(sum(await Promise.all(destinations(100, home).map((d) => count(throttleKeys.destination(tenantId, d)))))).toBe(20);
  });

  it('a limit below the number of shards (3) holds too', async () => {
    const tenantId = newTenant();
    const outcomes = await Promise.all(destinations(30, 2).map((d, i) => take(tenantId, `u${i}`, d, { perTenantPerHour: 3 })));
    expect(allowed(outcomes)).toHaveLength(3);
    expect(sum(await shardCounts(tenantId))).toBe(3);
  });

  it("the previous hour still counts across the shards: 16 sent last hour, at half past 8 are carried, 12 of 40 parallel sends go through", async () => {
    const tenantId = newTenant();
    const lastHour = ON_THE_HOUR - HOUR_MS;
    expect(allowed(await Promise.all(destinations(16).map((d, i) => take(tenantId, `early${i}`, d, { perTenantPerHour: 20 }, lastHour))))).toHaveLength(16);
    const halfPast = ON_THE_HOUR + HOUR_MS / 2;
    const outcomes = await Promise.all(destinations(40).map((d, i) => take(tenantId, `u${i}`, `${d}x`, { perTenantPerHour: 20 }, halfPast)));
    expect(allowed(outcomes)).toHaveLength(12);
    expect(sum(await shardCounts(tenantId))).toBe(12);
  });
});

describe('the destination limit is exact in parallel', () => {
  it('40 users sending at once to one number with a limit of 5: exactly 5, and the refused count nowhere', async () => {
    const tenantId = newTenant();
    const [number] = destinations(1);
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => take(tenantId, `u${i}`, number!, { perDestinationPerHour: 5 })));
    expect(allowed(outcomes)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.allowed && o.scope === 'destination')).toHaveLength(35);
    expect(await count(throttleKeys.destination(tenantId, number!))).toBe(5);
    expect(sum(await shardCounts(tenantId))).toBe(5);
  });

  it('10 numbers homed on one shard, 8 parallel sends each, limit 3: exactly 3 to each', async () => {
    const tenantId = newTenant();
    const numbers = destinations(10, 0);
    const outcomes = await Promise.all(numbers.flatMap((d, j) => Array.from({ length: 8 }, (_, i) => take(tenantId, `u${j}-${i}`, d, { perDestinationPerHour: 3 }))));
    expect(allowed(outcomes)).toHaveLength(30);
    expect(await Promise.all(numbers.map((d) => count(throttleKeys.destination(tenantId, d))))).toEqual(numbers.map(() => 3));
    expect(sum(await shardCounts(tenantId))).toBe(30);
  });
});

describe("a busy tenant's writes are spread", () => {
  it('400 parallel sends to 400 destinations: each shard item takes about 1/8 of them, every other item one', async () => {
    const tenantId = newTenant();
    const sends = 400;
    const outcomes = await Promise.all(destinations(sends).map((d, i) => take(tenantId, `u${i}`, d, {})));
    expect(allowed(outcomes)).toHaveLength(sends);
    const mine = [...writes].filter(([key]) => key.startsWith(`THROTTLE#${tenantId}#`));
    // every UpdateItem sent: 3 per send (user, destination, one shard), none refused
    expect(sum(mine.map(([, n]) => n))).toBe(3 * sends);
    const shardWrites = Array.from({ length: THROTTLE_SHARDS }, (_, n) => writes.get(`${throttleKeys.tenantShard(tenantId, n)} H#${HOUR}`) ?? 0);
    expect(sum(shardWrites)).toBe(sends);
    expect(shardWrites.every((n) => n > 0)).toBe(true);
    // no item takes more than 1.5 × its fair share (50): the busiest takes < 1/5 of the tenant's writes
    expect(Math.max(...shardWrites)).toBeLessThanOrEqual(75);
    expect(Math.max(...mine.filter(([key]) => !key.includes('#S')).map(([, n]) => n))).toBe(1);
    // read back, the items hold the same counts
    expect(await shardCounts(tenantId)).toEqual(shardWrites);
  });

  it('a tenant at its cap is refused from the read alone: no write at all', async () => {
    const tenantId = newTenant();
    expect(allowed(await Promise.all(destinations(8).map((d, i) => take(tenantId, `u${i}`, d, { perTenantPerHour: 8 }))))).toHaveLength(8);
    const before = sum([...writes].filter(([key]) => key.startsWith(`THROTTLE#${tenantId}#`)).map(([, n]) => n));
    const outcomes = await Promise.all(destinations(50).map((d, i) => take(tenantId, `v${i}`, `${d}y`, { perTenantPerHour: 8 })));
    expect(outcomes.every((o) => !o.allowed && o.scope === 'tenant')).toBe(true);
    expect(sum([...writes].filter(([key]) => key.startsWith(`THROTTLE#${tenantId}#`)).map(([, n]) => n))).toBe(before);
  });
});

describe('refusals and releases count nothing', () => {
  it('sends refused by the user limit, in parallel, leave only the counted ones on the destination and the tenant', async () => {
    const tenantId = newTenant();
    const outcomes = await Promise.all(destinations(12).map((d) => take(tenantId, 'ursula', d, { perUserPerHour: 2 })));
    expect(allowed(outcomes)).toHaveLength(2);
    expect(outcomes.filter((o) => !o.allowed && o.scope === 'user')).toHaveLength(10);
    expect(await count(throttleKeys.user(tenantId, 'ursula'))).toBe(2);
    expect(sum(await Promise.all(destinations(12).map((d) => count(throttleKeys.destination(tenantId, d)))))).toBe(2);
    expect(sum(await shardCounts(tenantId))).toBe(2);
  });

  it('releasing every taken send (some counted on fallback shards) puts every counter back to 0, and the limit is whole again', async () => {
    const tenantId = newTenant();
    const numbers = destinations(30, 1);
    const limits = { perTenantPerHour: 20, perUserPerHour: 1, perDestinationPerHour: 1 };
    const first = await Promise.all(numbers.map((d, i) => take(tenantId, `u${i}`, d, limits)));
    expect(allowed(first)).toHaveLength(20);
    await Promise.all(first.flatMap((o) => (o.allowed ? [throttle.release(o.ticket)] : [])));
    expect(await shardCounts(tenantId)).toEqual(Array.from({ length: THROTTLE_SHARDS }, () => 0));
    expect(await Promise.all(numbers.map((d) => count(throttleKeys.destination(tenantId, d))))).toEqual(numbers.map(() => 0));
    expect(await Promise.all(numbers.map((_, i) => count(throttleKeys.user(tenantId, `u${i}`))))).toEqual(numbers.map(() => 0));
    // the same users to the same numbers: all 20 again
    expect(allowed(await Promise.all(numbers.map((d, i) => take(tenantId, `u${i}`, d, limits))))).toHaveLength(20);
    expect(sum(await shardCounts(tenantId))).toBe(20);
  });

  it('a release after its items expired (or twice) never goes below zero', async () => {
    const tenantId = newTenant();
    const [number] = destinations(1);
    const outcome = await take(tenantId, 'rex', number!, {});
    if (!outcome.allowed) throw new Error('refused');
    await throttle.release(outcome.ticket);
    await throttle.release(outcome.ticket);
    expect(await count(throttleKeys.user(tenantId, 'rex'))).toBe(0);
    expect(sum(await shardCounts(tenantId))).toBe(0);
    expect((await take(tenantId, 'rex', number!, { perUserPerHour: 1 })).allowed).toBe(true);
  });
});
