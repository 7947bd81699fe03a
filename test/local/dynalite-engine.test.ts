/**
 * The local DynamoDB engine `npm start` runs on (dynalite with our TransactWriteItems,
 * ReturnValuesOnConditionCheckFailure and expression parse cache: packages/local/src/dynalite)
 * answers as DynamoDB Local does. The same scripted requests, made with the AWS SDK's low-level
 * client, go to the test run's DynamoDB Local and to a dynalite engine that re-parses every
 * cached expression and fails where the cache differs (TWOFOLD_ENGINE_CHECK_PARSE=1); each
 * answer (result, or error name, status and message, cancellation reasons with their items,
 * returned attributes) and the items left afterwards must be the same on both. Covered:
 * transactions that succeed across two tables, are cancelled by a condition, name one item twice
 * or fail half-way; conditional writes that return the old item or not; queries with key
 * conditions, filters and projections; placeholders that name one attribute twice, or an
 * attribute the expression also names literally; one expression shape reused with other names
 * and values (the parse cache's hits). Then, on the dynalite engine alone: 50 racing
 * transactions on one item let exactly one through, 50 racing conditional increments stop at the
 * limit, and a stopped engine still has its data when started again on the same directory.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CancellationReason,
  type ConditionCheck,
  type QueryCommandInput,
  type ReturnValuesOnConditionCheckFailure,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_ENGINE_VARIABLE } from '@twofold/local/dynamodb-local';
import { startEngine, type RunningEngine } from '@twofold/local/dynalite/start';
import { checkDynaliteVersion, DYNALITE_VERSION } from '@twofold/local/dynalite/engine';

type Item = Record<string, AttributeValue>;
interface ErrorOutcome {
  name: string;
  status: number | undefined;
  message: string;
  Item?: Item;
  CancellationReasons?: CancellationReason[];
}
/** What a request came to: its result without the response metadata (request id, attempts), or its error. */
type Outcome = { ok: Record<string, unknown> } | { error: ErrorOutcome };
/** One request, to be made on a given engine. */
type Send = (client: DynamoDBClient) => Promise<{ $metadata: object }>;

const s = (S: string): AttributeValue => ({ S });
const n = (N: number | string): AttributeValue => ({ N: String(N) });

const clientFor = (endpoint: string) =>
  // one attempt: a request the SDK retried would hide an engine's error
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

/** The engine in a process of its own, re-parsing every cached expression (its child inherits the variable). */
async function startCheckedEngine(path?: string): Promise<RunningEngine> {
  const before = process.env.TWOFOLD_ENGINE_CHECK_PARSE;
  process.env.TWOFOLD_ENGINE_CHECK_PARSE = '1';
  try {
    return await startEngine(path);
  } finally {
    if (before === undefined) delete process.env.TWOFOLD_ENGINE_CHECK_PARSE;
    else process.env.TWOFOLD_ENGINE_CHECK_PARSE = before;
  }
}

/** SIGTERM, as `npm start` stops it, and its exit code once it has closed its store. */
async function stopEngine(engine: ChildProcess): Promise<number | null> {
  if (engine.exitCode !== null) return engine.exitCode;
  const exited = once(engine, 'exit');
  engine.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

async function attempt(request: () => Promise<{ $metadata: object }>): Promise<Outcome> {
  try {
    const { $metadata: _metadata, ...result } = await request();
    return { ok: result };
  } catch (error) {
    if (!(error instanceof DynamoDBServiceException)) throw error;
    const { Item, CancellationReasons } = error as DynamoDBServiceException & { Item?: Item; CancellationReasons?: CancellationReason[] };
    return {
      error: {
        name: error.name,
        status: error.$metadata.httpStatusCode,
        message: error.message,
        ...(Item ? { Item } : {}),
        ...(CancellationReasons ? { CancellationReasons } : {}),
      },
    };
  }
}

// one random suffix, the same table names on both engines: the requests are the same bytes
const suffix = randomBytes(4).toString('hex');
const ITEMS = `engine-diff-${suffix}-items`;
const OTHER = `engine-diff-${suffix}-other`;

let local: DynamoDBClient;
let dynalite: DynamoDBClient;
let engine: RunningEngine;

beforeAll(async () => {
  const shared = process.env[SHARED_ENGINE_VARIABLE];
  if (!shared) throw new Error(`no shared DynamoDB Local (${SHARED_ENGINE_VARIABLE}): run this file with vitest, whose globalSetup starts it`);
  engine = await startCheckedEngine();
  local = clientFor(shared);
  dynalite = clientFor(engine.endpoint);
  for (const client of [local, dynalite]) {
    await client.send(
      new CreateTableCommand({
        TableName: ITEMS,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await client.send(
      new CreateTableCommand({
        TableName: OTHER,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  }
});

afterAll(async () => {
  // the shared engine outlives this file: leave it as found
  for (const table of [ITEMS, OTHER]) await local?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  local?.destroy();
  dynalite?.destroy();
  if (engine) await stopEngine(engine.process);
});

/** Options of one comparison. */
interface Compare {
  /**
   * The engines word some messages differently (DynamoDB Local and dynalite are separate
   * implementations of one API): then the error's name, status, items and reason codes are
   * compared, not its message.
   */
  messages?: 'names-only';
}

function normalized(outcome: Outcome, options: Compare): Outcome {
  if ('ok' in outcome) return outcome;
  const { message, CancellationReasons, ...error } = outcome.error;
  return {
    error: {
      ...error,
      message: options.messages === 'names-only' ? '(not compared)' : message,
      // a reason's message is worded differently (DynamoDB Local ends some with a full stop,
      // not others): its code and item are what a caller reads, and are compared
      ...(CancellationReasons ? { CancellationReasons: CancellationReasons.map(({ Code, Item }) => ({ Code, ...(Item ? { Item } : {}) })) } : {}),
    },
  };
}

/**
 * Sends one request to both engines and expects the same outcome; answers DynamoDB Local's (for
 * the assertions that say what that outcome is: two engines agreeing is not enough).
 */
async function same(request: Send, options: Compare = {}): Promise<Outcome> {
  const [expected, actual] = await Promise.all([attempt(() => request(local)), attempt(() => request(dynalite))]);
  // the parse check's own failure (a ValidationException naming the cache), said plainly
  if ('error' in actual) expect(actual.error.message).not.toMatch(/parse cache/);
  expect(normalized(actual, options)).toEqual(normalized(expected, options));
  return expected;
}

function errorOf(outcome: Outcome): ErrorOutcome {
  if (!('error' in outcome)) throw new Error(`expected an error, got ${JSON.stringify(outcome.ok)}`);
  return outcome.error;
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of both tables on one engine, in key order (a scan's order is the engine's own). */
async function contents(client: DynamoDBClient): Promise<Record<string, Item>> {
  const out: Record<string, Item> = {};
  for (const item of await scanAll(client, ITEMS)) out[`items/${item.pk?.S}/${item.sk?.S}`] = item;
  for (const item of await scanAll(client, OTHER)) out[`other/${item.id?.S}`] = item;
  return out;
}

/** The items left on both engines, expected the same; answers them. */
async function sameContents(): Promise<Record<string, Item>> {
  const [expected, actual] = await Promise.all([contents(local), contents(dynalite)]);
  expect(actual).toEqual(expected);
  return expected;
}

const put = (Item: Item, table = ITEMS): Send => (c) => c.send(new PutItemCommand({ TableName: table, Item }));
const transact = (TransactItems: TransactWriteItem[]): Send => (c) => c.send(new TransactWriteItemsCommand({ TransactItems }));

describe('the same requests on DynamoDB Local and on the dynalite engine', () => {
  beforeAll(async () => {
    const seeds: Item[] = [
      { pk: s('tx'), sk: s('update-me'), n: n(1), tags: { SS: ['a'] } },
      { pk: s('tx'), sk: s('delete-me'), v: s('old') },
      { pk: s('tx'), sk: s('text'), word: s('not a number') },
    ];
    for (const item of seeds) {
      expect(await same(put(item))).toEqual({ ok: {} });
    }
    expect(await same(put({ id: s('guard'), state: s('open') }, OTHER))).toEqual({ ok: {} });
  });

  it('TransactWriteItems: a Put, an Update, a Delete and a ConditionCheck across two tables are all written', async () => {
    const outcome = await same(
      transact([
        { Put: { TableName: ITEMS, Item: { pk: s('tx'), sk: s('new'), v: s('x'), price: n('01.50') }, ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Update: {
            TableName: ITEMS,
            Key: { pk: s('tx'), sk: s('update-me') },
            UpdateExpression: 'SET #v = :v ADD #n :one, tags :tags',
            ConditionExpression: '#n = :n',
            ExpressionAttributeNames: { '#v': 'v', '#n': 'n' },
            ExpressionAttributeValues: { ':v': s('updated'), ':one': n(1), ':tags': { SS: ['b'] }, ':n': n(1) },
          },
        },
        { Delete: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('delete-me') }, ConditionExpression: 'attribute_exists(pk)' } },
        { ConditionCheck: { TableName: OTHER, Key: { id: s('guard') }, ConditionExpression: '#s = :open', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':open': s('open') } } },
      ]),
    );
    expect(outcome).toEqual({ ok: {} });
    const items = await sameContents();
    expect(items['items/tx/new']).toEqual({ pk: s('tx'), sk: s('new'), v: s('x'), price: n('1.5') });
    expect(items['items/tx/update-me']).toMatchObject({ v: s('updated'), n: n(2) });
    expect([...(items['items/tx/update-me']?.tags?.SS ?? [])].sort()).toEqual(['a', 'b']);
    expect(items['items/tx/delete-me']).toBeUndefined();
  });

  it('TransactWriteItems: one failing condition cancels all of it, with a reason per element in order and the item only where ALL_OLD was asked', async () => {
    const before = await sameContents();
    const error = errorOf(
      await same(
        transact([
          { Put: { TableName: OTHER, Item: { id: s('never') } } },
          { ConditionCheck: { TableName: OTHER, Key: { id: s('guard') }, ConditionExpression: '#s = :closed', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':closed': s('closed') }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('update-me') }, UpdateExpression: 'SET v = :v', ConditionExpression: 'n = :n', ExpressionAttributeValues: { ':v': s('no'), ':n': n(99) }, ReturnValuesOnConditionCheckFailure: 'NONE' } },
          { Delete: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('new') }, ConditionExpression: 'attribute_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('absent') }, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': s('no') }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          { Put: { TableName: ITEMS, Item: { pk: s('tx'), sk: s('text'), word: s('replaced') }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ]),
      ),
    );
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed']);
    // the item as it was: on the ConditionCheck that asked for it; not where NONE or nothing was
    // asked, nor for an item that does not exist
    expect(error.CancellationReasons?.map((r) => r.Item !== undefined)).toEqual([false, true, false, false, false, false]);
    expect(error.CancellationReasons?.[1]?.Item).toEqual({ id: s('guard'), state: s('open') });
    expect(await sameContents()).toEqual(before);
  });

  it('TransactWriteItems: two operations on one item are refused (ValidationException), and nothing is written', async () => {
    const before = await sameContents();
    const twice = errorOf(
      await same(
        transact([
          { Put: { TableName: OTHER, Item: { id: s('never') } } },
          { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('update-me') }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': s('twice') } } },
          { ConditionCheck: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('update-me') }, ConditionExpression: 'attribute_exists(pk)' } },
        ]),
      ),
    );
    expect(twice).toMatchObject({ name: 'ValidationException', status: 400 });
    // the same key in another table is another item
    expect(
      await same(
        transact([
          { Put: { TableName: OTHER, Item: { id: s('pair') } } },
          { Delete: { TableName: OTHER, Key: { id: s('pair') } } },
        ]),
      ),
    ).toMatchObject({ error: { name: 'ValidationException' } });
    expect(await sameContents()).toEqual(before);
  });

  const failingWrites: [string, TransactWriteItem][] = [
    ['ADD of a number to a string', { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('text') }, UpdateExpression: 'ADD word :one', ExpressionAttributeValues: { ':one': n(1) } } }],
    ['SET that makes the item larger than 400 KB', { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('text') }, UpdateExpression: 'SET big = :big', ExpressionAttributeValues: { ':big': s('x'.repeat(400 * 1024)) } } }],
  ];
  it.each(failingWrites)('TransactWriteItems: a write that fails when applied (%s) leaves the writes before it undone', async (_, failing) => {
    const before = await sameContents();
    const error = errorOf(
      await same(
        transact([
          { Put: { TableName: OTHER, Item: { id: s('half-way') } } },
          { Update: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('update-me') }, UpdateExpression: 'SET v = :v REMOVE tags', ExpressionAttributeValues: { ':v': s('half-way') } } },
          { Delete: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('new') } } },
          failing,
        ]),
      ),
    );
    expect(error).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await sameContents()).toEqual(before);
  });

  it('TransactWriteItems: malformed ones are refused (ValidationException), and nothing is written', async () => {
    const before = await sameContents();
    // a ConditionCheck without its condition (which the SDK's type requires: left out on purpose)
    const noCondition: Partial<ConditionCheck> = { TableName: ITEMS, Key: { pk: s('tx'), sk: s('text') } };
    const malformed: TransactWriteItem[][] = [
      [],
      Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: OTHER, Item: { id: s(`many-${i}`) } } })),
      [{ Put: { TableName: OTHER, Item: { id: s('never') } }, Delete: { TableName: OTHER, Key: { id: s('guard') } } }],
      [{ Put: { TableName: OTHER, Item: { id: s('never') } } }, { ConditionCheck: noCondition as ConditionCheck }],
      [{ Put: { TableName: OTHER, Item: { id: s('never') } } }, { Put: { TableName: ITEMS, Item: { pk: s('tx') } } }],
      [{ Put: { TableName: OTHER, Item: { id: s('never'), big: s('x'.repeat(400 * 1024)) } } }],
    ];
    for (const items of malformed) {
      // the engines word most of these differently (the list's length, a missing condition or key
      // element): names only
      expect(errorOf(await same(transact(items), { messages: 'names-only' })).name).toBe('ValidationException');
    }
    // a transaction of a condition alone, that holds: nothing to write, and no error
    expect(await same(transact([{ ConditionCheck: { TableName: ITEMS, Key: { pk: s('tx'), sk: s('nothing') }, ConditionExpression: 'attribute_not_exists(pk)' } }]))).toEqual({ ok: {} });
    expect(await sameContents()).toEqual(before);
  });

  it('TransactWriteItems on a table that does not exist: ResourceNotFoundException', async () => {
    // the engines word this one differently ("Requested resource not found", DynamoDB Local's
    // "Cannot do operations on a non-existent table"): names only
    const outcome = await same(transact([{ Put: { TableName: `${ITEMS}-missing`, Item: { pk: s('x'), sk: s('y') } } }]), { messages: 'names-only' });
    expect(errorOf(outcome).name).toBe('ResourceNotFoundException');
  });

  /** A write of tx/update-me whose condition fails, asking for the item back as `rv` says. */
  const failingConditions: Record<string, (rv: ReturnValuesOnConditionCheckFailure | undefined) => Send> = {
    PutItem: (rv) => (c) => c.send(new PutItemCommand({ TableName: ITEMS, Item: { pk: s('tx'), sk: s('update-me') }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: rv })),
    UpdateItem: (rv) => (c) =>
      c.send(
        new UpdateItemCommand({
          TableName: ITEMS,
          Key: { pk: s('tx'), sk: s('update-me') },
          UpdateExpression: 'SET v = :v',
          ConditionExpression: '#n < :n',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':v': s('no'), ':n': n(0) },
          ReturnValuesOnConditionCheckFailure: rv,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    DeleteItem: (rv) => (c) => c.send(new DeleteItemCommand({ TableName: ITEMS, Key: { pk: s('tx'), sk: s('update-me') }, ConditionExpression: 'v = :other', ExpressionAttributeValues: { ':other': s('other') }, ReturnValuesOnConditionCheckFailure: rv })),
  };
  const conditionFailures = Object.keys(failingConditions).flatMap((operation) =>
    (['ALL_OLD', 'NONE', undefined] as const).map((rv) => [operation, rv ?? 'not given', rv] as const),
  );

  it.each(conditionFailures)('%s whose condition fails, with ReturnValuesOnConditionCheckFailure %s: the item as it was only with ALL_OLD', async (operation, _, rv) => {
    const before = await sameContents();
    const error = errorOf(await same(failingConditions[operation]!(rv)));
    expect(error.name).toBe('ConditionalCheckFailedException');
    expect(error.Item).toEqual(rv === 'ALL_OLD' ? before['items/tx/update-me'] : undefined);
    expect(await sameContents()).toEqual(before);
  });

  it('a failed condition on an item that does not exist returns no item, even with ALL_OLD', async () => {
    const error = errorOf(
      await same((c) =>
        c.send(new UpdateItemCommand({ TableName: ITEMS, Key: { pk: s('tx'), sk: s('nobody') }, UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': s('no') }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
      ),
    );
    expect(error).toEqual({ name: 'ConditionalCheckFailedException', status: 400, message: 'The conditional request failed' });
  });

  it('an unknown ReturnValuesOnConditionCheckFailure is refused', async () => {
    const outcome = await same((c) => c.send(new PutItemCommand({ TableName: ITEMS, Item: { pk: s('tx'), sk: s('x') }, ReturnValuesOnConditionCheckFailure: 'ALL_NEW' as ReturnValuesOnConditionCheckFailure })));
    expect(errorOf(outcome).name).toBe('ValidationException');
  });

  describe('Query', () => {
    beforeAll(async () => {
      const colors = ['red', 'green', 'blue'];
      for (let i = 1; i <= 12; i++) {
        const sk = `${i <= 8 ? 'a' : 'b'}#${String(i).padStart(3, '0')}`;
        const item: Item = { pk: s('q'), sk: s(sk), n: n(i), color: s(colors[i % 3]!), m: { M: { x: n(i * 10), y: s(`y${i}`) } }, l: { L: [s(`first${i}`), n(i)] } };
        if (i % 4 === 0) item.flag = { BOOL: true };
        await same(put(item));
      }
      await same(put({ pk: s('q-other'), sk: s('a#001'), n: n(1) }));
    });

    const query = (input: Omit<QueryCommandInput, 'TableName'>) => (c: DynamoDBClient) => c.send(new QueryCommand({ TableName: ITEMS, ...input }));

    it('key conditions: the partition with begins_with, BETWEEN, and a range read backwards in pages', async () => {
      const prefix = await same(query({ KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)', ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' }, ExpressionAttributeValues: { ':pk': s('q'), ':prefix': s('b#') } }));
      expect(prefix).toMatchObject({ ok: { Count: 4, ScannedCount: 4 } });
      const between = await same(query({ KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':pk': s('q'), ':lo': s('a#003'), ':hi': s('a#006') } }));
      expect(between).toMatchObject({ ok: { Count: 4 } });
      let start: Item | undefined;
      const seen: string[] = [];
      do {
        const page: Outcome = await same(query({ KeyConditionExpression: 'pk = :pk AND sk > :after', ExpressionAttributeValues: { ':pk': s('q'), ':after': s('a#005') }, ScanIndexForward: false, Limit: 3, ExclusiveStartKey: start }));
        if (!('ok' in page)) throw new Error('a page failed');
        for (const item of (page.ok.Items ?? []) as Item[]) seen.push(item.sk?.S ?? '');
        start = page.ok.LastEvaluatedKey as Item | undefined;
      } while (start);
      expect(seen).toEqual(['b#012', 'b#011', 'b#010', 'b#009', 'a#008', 'a#007', 'a#006']);
    });

    it('a FilterExpression and a ProjectionExpression, with a Limit that counts before the filter', async () => {
      const filtered = await same(
        query({
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#n >= :min AND #c IN (:red, :blue) AND (attribute_exists(flag) OR size(#l) = :three) AND begins_with(m.y, :y)',
          ProjectionExpression: 'sk, #n, m.x, #l[0]',
          ExpressionAttributeNames: { '#n': 'n', '#c': 'color', '#l': 'l' },
          ExpressionAttributeValues: { ':pk': s('q'), ':min': n(4), ':red': s('red'), ':blue': s('blue'), ':three': n(3), ':y': s('y') },
        }),
      );
      expect(filtered).toMatchObject({ ok: { ScannedCount: 12 } });
      if ('ok' in filtered) expect((filtered.ok.Items as Item[]).map((i) => i.sk?.S)).toEqual(['a#008', 'b#012']);
      const limited = await same(query({ KeyConditionExpression: 'pk = :pk', FilterExpression: 'contains(color, :e)', ExpressionAttributeValues: { ':pk': s('q'), ':e': s('e') }, Limit: 5 }));
      expect(limited).toMatchObject({ ok: { ScannedCount: 5 } });
      await same(query({ KeyConditionExpression: 'pk = :pk', FilterExpression: 'flag = :t', ExpressionAttributeValues: { ':pk': s('q'), ':t': { BOOL: true } }, Select: 'COUNT' }));
    });

    it('queries the engines refuse, for the same reasons', async () => {
      const refused = [
        // not a key attribute (dynalite's message names the key attribute, DynamoDB Local's does not: names only)
        await same(query({ KeyConditionExpression: 'pk = :pk AND n > :n', ExpressionAttributeValues: { ':pk': s('q'), ':n': n(1) } }), { messages: 'names-only' }),
        // begins_with of a number
        await same(query({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': s('q'), ':p': n(1) } })),
        // a projection naming one path twice, and a path and a path inside it
        await same(query({ KeyConditionExpression: 'pk = :pk', ProjectionExpression: '#a, #b', ExpressionAttributeNames: { '#a': 'color', '#b': 'color' }, ExpressionAttributeValues: { ':pk': s('q') } })),
        await same(query({ KeyConditionExpression: 'pk = :pk', ProjectionExpression: 'm, #m.x', ExpressionAttributeNames: { '#m': 'm' }, ExpressionAttributeValues: { ':pk': s('q') } })),
        // a placeholder value left unused
        await same(query({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': s('q'), ':spare': s('x') } })),
      ];
      for (const outcome of refused) expect(errorOf(outcome).name).toBe('ValidationException');
    });
  });

  describe('placeholders that name the same attribute (the parse cache keys on which do)', () => {
    const update = (expression: string, names: Record<string, string>, values: Item, condition?: string) => (c: DynamoDBClient) =>
      c.send(
        new UpdateItemCommand({
          TableName: ITEMS,
          Key: { pk: s('names'), sk: s('one') },
          UpdateExpression: expression,
          ...(condition ? { ConditionExpression: condition } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );

    beforeAll(async () => {
      await same(put({ pk: s('names'), sk: s('one'), m: { M: { x: n(1) } }, foo: s('bar'), count: n(0) }));
    });

    it('SET #a = :x, #b = :y: apart they are set, naming one attribute they overlap, whichever comes first', async () => {
      const values = { ':x': s('x'), ':y': s('y') };
      // the distinct shape first (kept by the cache), then the overlapping one, then distinct again
      expect(await same(update('SET #a = :x, #b = :y', { '#a': 'v', '#b': 'w' }, values))).toHaveProperty('ok');
      const overlap = errorOf(await same(update('SET #a = :x, #b = :y', { '#a': 'v', '#b': 'v' }, values)));
      expect(overlap.name).toBe('ValidationException');
      expect(overlap.message).toMatch(/overlap/);
      expect(await same(update('SET #a = :x, #b = :y', { '#a': 'w', '#b': 'v' }, values))).toHaveProperty('ok');
      expect(errorOf(await same(update('SET #a = :x, #b = :y', { '#a': 'w', '#b': 'w' }, values))).message).toMatch(/overlap/);
      // the order the names are given in does not matter
      expect(errorOf(await same(update('SET #a = :x, #b = :y', { '#b': 'v', '#a': 'v' }, values))).message).toMatch(/overlap/);
      await sameContents();
    });

    it('SET and REMOVE of one attribute, and of a map and a path inside it, overlap', async () => {
      expect(await same(update('SET #a = :x REMOVE #b', { '#a': 'v', '#b': 'w' }, { ':x': s('x') }))).toHaveProperty('ok');
      expect(errorOf(await same(update('SET #a = :x REMOVE #b', { '#a': 'v', '#b': 'v' }, { ':x': s('x') }))).message).toMatch(/overlap/);
      expect(await same(update('SET #a.#x = :x, #b = :y', { '#a': 'm', '#x': 'x', '#b': 'v' }, { ':x': n(2), ':y': s('y') }))).toHaveProperty('ok');
      expect(errorOf(await same(update('SET #a.#x = :x, #b = :y', { '#a': 'm', '#x': 'x', '#b': 'm' }, { ':x': n(2), ':y': s('y') }))).message).toMatch(/overlap/);
      // a path through a name that is also a list index elsewhere: DynamoDB calls it a conflict
      expect(errorOf(await same(update('SET #a.#x = :x, #b[0] = :y', { '#a': 'm', '#x': 'x', '#b': 'm' }, { ':x': n(2), ':y': s('y') }))).name).toBe('ValidationException');
      await sameContents();
    });

    it('a placeholder that names an attribute the expression also names literally', async () => {
      const values = { ':x': s('x'), ':y': s('y') };
      expect(await same(update('SET foo = :x, #a = :y', { '#a': 'w' }, values))).toHaveProperty('ok');
      expect(errorOf(await same(update('SET foo = :x, #a = :y', { '#a': 'foo' }, values))).message).toMatch(/overlap/);
      expect(await same(update('SET foo = :x, #a = :y', { '#a': 'v' }, values))).toHaveProperty('ok');
      // in a condition: begins_with's operands must be distinct paths
      const condition = (name: string) => update('SET #u = :x', { '#u': 'u', '#a': name }, { ':x': s('x') }, 'attribute_not_exists(foo) OR NOT begins_with(foo, #a)');
      expect(await same(condition('w'))).toHaveProperty('ok');
      expect(errorOf(await same(condition('foo'))).message).toMatch(/distinct/);
      // in a projection
      const projection = (name: string) => (c: DynamoDBClient) => c.send(new GetItemCommand({ TableName: ITEMS, Key: { pk: s('names'), sk: s('one') }, ProjectionExpression: 'foo, #a', ExpressionAttributeNames: { '#a': name } }));
      expect(await same(projection('count'))).toHaveProperty('ok');
      expect(errorOf(await same(projection('foo'))).message).toMatch(/overlap/);
      await sameContents();
    });

    it('a placeholder that names a key attribute cannot be updated, though the same shape could before', async () => {
      expect(await same(update('SET #a = :x', { '#a': 'v' }, { ':x': s('x') }))).toHaveProperty('ok');
      expect(errorOf(await same(update('SET #a = :x', { '#a': 'sk' }, { ':x': s('x') }))).name).toBe('ValidationException');
      expect(errorOf(await same(update('REMOVE #a', { '#a': 'pk' }, {}))).name).toBe('ValidationException');
      await sameContents();
    });
  });

  it('one expression shape, used many times with other names and values, answers as DynamoDB Local does each time', async () => {
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    const counters = ['hits', 'count'];
    const values: AttributeValue[] = [s('text'), n(7), { M: { deep: s('x') } }, { L: [n(1), s('two')] }, { BOOL: false }, { NULL: true }, { SS: ['a', 'b'] }];
    const outcomes: string[] = [];
    for (let i = 0; i < 42; i++) {
      // now and then the name is the counter's (an overlap) or a key attribute's (while the
      // condition holds: of two faults, DynamoDB Local reports the failed condition, dynalite the key)
      const name = i % 11 === 5 ? counters[i % 2]! : i === 7 ? 'sk' : names[i % names.length]!;
      const outcome = await same((c) =>
        c.send(
          new UpdateItemCommand({
            TableName: ITEMS,
            Key: { pk: s('shape'), sk: s(`k${i % 5}`) },
            UpdateExpression: 'SET #name = :value, #count = if_not_exists(#count, :zero) + :one',
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
            ExpressionAttributeNames: { '#name': name, '#count': counters[i % 2]! },
            ExpressionAttributeValues: { ':value': values[i % values.length]!, ':zero': n(0), ':one': n(1), ':limit': n(3) },
            ReturnValues: i % 2 ? 'ALL_NEW' : 'UPDATED_OLD',
            ReturnValuesOnConditionCheckFailure: i % 3 ? 'ALL_OLD' : 'NONE',
          }),
        ),
      );
      outcomes.push('ok' in outcome ? 'ok' : outcome.error.name);
    }
    // the script reaches each kind of answer: writes, the limit, and the overlap and key errors
    expect(new Set(outcomes)).toEqual(new Set(['ok', 'ConditionalCheckFailedException', 'ValidationException']));

    for (let i = 0; i < 12; i++) {
      const outcome = await same((c) =>
        c.send(
          new QueryCommand({
            TableName: ITEMS,
            KeyConditionExpression: '#p = :p AND begins_with(#s, :s)',
            FilterExpression: 'attribute_exists(#f) AND #c >= :c',
            ProjectionExpression: '#s, #f, #c',
            ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk', '#f': names[i % names.length]!, '#c': counters[i % 2]! },
            ExpressionAttributeValues: { ':p': s(i % 3 ? 'shape' : 'q'), ':s': s(i % 2 ? 'k' : 'a#'), ':c': n(i % 4) },
          }),
        ),
      );
      expect(outcome).toHaveProperty('ok');
    }
    await sameContents();
  });
});

describe('the dynalite engine alone', () => {
  const race = (suffixOf: string) => `race-${suffixOf}`;

  it('runs only on the dynalite it was written against: pinned exactly, installed, and any other version refused at start', async () => {
    const rootPackage: unknown = JSON.parse(await readFile('package.json', 'utf8'));
    expect(rootPackage).toMatchObject({ devDependencies: { dynalite: DYNALITE_VERSION } });
    const installed: unknown = JSON.parse(await readFile('node_modules/dynalite/package.json', 'utf8'));
    expect(installed).toMatchObject({ version: DYNALITE_VERSION });
    expect(() => checkDynaliteVersion(DYNALITE_VERSION)).not.toThrow();
    expect(() => checkDynaliteVersion('4.0.1')).toThrow(/dynalite 4\.0\.1 is installed but the local engine was written against dynalite 4\.0\.0/);
  });

  it('50 parallel transactions, each conditioned on one shared item not existing: exactly one is written, whole', async () => {
    const pk = race('tx');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        attempt(() =>
          dynalite.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                { Put: { TableName: ITEMS, Item: { pk: s(pk), sk: s('winner'), by: n(i) }, ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: ITEMS, Item: { pk: s(pk), sk: s(`entry-${String(i).padStart(2, '0')}`) } } },
              ],
            }),
          ),
        ),
      ),
    );
    const won = results.flatMap((r, i) => ('ok' in r ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => 'error' in x)) {
      expect(errorOf(r)).toMatchObject({ name: 'TransactionCanceledException', status: 400 });
      expect(errorOf(r).CancellationReasons?.map((c) => c.Code)).toEqual(['ConditionalCheckFailed', 'None']);
    }
    const left = await dynalite.send(new QueryCommand({ TableName: ITEMS, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': s(pk) }, ConsistentRead: true }));
    const entries = (left.Items ?? []).filter((i) => i.sk?.S?.startsWith('entry-'));
    expect(entries.map((i) => i.sk?.S)).toEqual([`entry-${String(won[0]).padStart(2, '0')}`]);
    expect(left.Items?.find((i) => i.sk?.S === 'winner')?.by).toEqual(n(won[0]!));
  });

  it('50 parallel conditional increments of one counter, limited to 10: exactly 10 succeed and it ends at 10', async () => {
    const key = { pk: s(race('counter')), sk: s('c') };
    await dynalite.send(new PutItemCommand({ TableName: ITEMS, Item: { ...key, c: n(0) } }));
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        attempt(() =>
          dynalite.send(
            new UpdateItemCommand({
              TableName: ITEMS,
              Key: key,
              UpdateExpression: 'SET #c = #c + :one',
              ConditionExpression: '#c < :limit',
              ExpressionAttributeNames: { '#c': 'c' },
              ExpressionAttributeValues: { ':one': n(1), ':limit': n(10) },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        ),
      ),
    );
    const succeeded = results.filter((r): r is { ok: Record<string, unknown> } => 'ok' in r);
    expect(succeeded).toHaveLength(10);
    // each success saw a count no other did: 1 to 10
    expect(succeeded.map((r) => Number((r.ok.Attributes as Item).c?.N)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const r of results.filter((x) => 'error' in x)) expect(errorOf(r).name).toBe('ConditionalCheckFailedException');
    const { Item } = await dynalite.send(new GetItemCommand({ TableName: ITEMS, Key: key, ConsistentRead: true }));
    expect(Item?.c).toEqual(n(10));
  });

  it('stopped with SIGTERM and started again on the same data directory, it still has its table and items', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twofold-engine-'));
    let running: RunningEngine | undefined;
    let client: DynamoDBClient | undefined;
    try {
      running = await startCheckedEngine(dir);
      client = clientFor(running.endpoint);
      await client.send(new CreateTableCommand({ TableName: OTHER, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
      await client.send(new PutItemCommand({ TableName: OTHER, Item: { id: s('kept'), v: n(42), m: { M: { x: s('y') } } } }));
      await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: OTHER, Item: { id: s('by-transaction') } } }] }));
      client.destroy();
      expect(await stopEngine(running.process)).toBe(0);

      running = await startCheckedEngine(dir);
      client = clientFor(running.endpoint);
      expect((await client.send(new DescribeTableCommand({ TableName: OTHER }))).Table?.TableStatus).toBe('ACTIVE');
      expect((await client.send(new GetItemCommand({ TableName: OTHER, Key: { id: s('kept') }, ConsistentRead: true }))).Item).toEqual({ id: s('kept'), v: n(42), m: { M: { x: s('y') } } });
      expect((await scanAll(client, OTHER)).map((i) => i.id?.S).sort()).toEqual(['by-transaction', 'kept']);
    } finally {
      client?.destroy();
      if (running) await stopEngine(running.process);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
