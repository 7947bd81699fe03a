/**
 * The local DynamoDB engine of `npm start`: dynalite (DynamoDB's API over LevelDB, in Node), run
 * in a process of its own (./engine-main.ts), with the two things Twofold's writes rely on and
 * dynalite lacks:
 * - **TransactWriteItems**: every condition is checked against the items as they are before
 *   anything is written; one that does not hold cancels the whole transaction, with DynamoDB's
 *   `TransactionCanceledException` and its `CancellationReasons` (the item as it was where
 *   `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`). A write that fails half-way puts back
 *   what the transaction had written.
 * - **ReturnValuesOnConditionCheckFailure** on PutItem, UpdateItem and DeleteItem: a failed
 *   condition's error carries the item as it was.
 *
 * Requests are run one at a time, in the order they arrive (parsing and answering them is not):
 * a transaction is thereby atomic and isolated from every other request, which is what DynamoDB
 * guarantees; and one busy event loop has no parallelism to lose. Not emulated: a transaction's
 * ClientRequestToken (it is run again), TTL expiry (as in DynamoDB Local), streams.
 *
 * test/local/dynalite-engine.test.ts sends the same requests here (re-parsing every cached
 * expression: TWOFOLD_ENGINE_CHECK_PARSE=1) and to DynamoDB Local and expects the same answers;
 * test/e2e/engines.guarantees.test.ts checks Twofold's guarantees under races on this engine.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { cacheParses } from './parse-cache';
import db, { type ApiError, type AttributeMap, type Callback, type Request, type Store, type Table } from 'dynalite/db/index.js';
import batchGetItem from 'dynalite/actions/batchGetItem.js';
import batchWriteItem from 'dynalite/actions/batchWriteItem.js';
import createTable from 'dynalite/actions/createTable.js';
import deleteItem from 'dynalite/actions/deleteItem.js';
import deleteTable from 'dynalite/actions/deleteTable.js';
import describeTable from 'dynalite/actions/describeTable.js';
import describeTimeToLive from 'dynalite/actions/describeTimeToLive.js';
import getItem from 'dynalite/actions/getItem.js';
import listTables from 'dynalite/actions/listTables.js';
import listTagsOfResource from 'dynalite/actions/listTagsOfResource.js';
import putItem from 'dynalite/actions/putItem.js';
import query from 'dynalite/actions/query.js';
import scan from 'dynalite/actions/scan.js';
import tagResource from 'dynalite/actions/tagResource.js';
import untagResource from 'dynalite/actions/untagResource.js';
import updateItem from 'dynalite/actions/updateItem.js';
import updateTable from 'dynalite/actions/updateTable.js';
import conditionParser from 'dynalite/db/conditionParser.js';
import projectionParser from 'dynalite/db/projectionParser.js';
import updateParser from 'dynalite/db/updateParser.js';
import validations from 'dynalite/validations/index.js';
import * as batchGetItemRules from 'dynalite/validations/batchGetItem.js';
import * as batchWriteItemRules from 'dynalite/validations/batchWriteItem.js';
import * as createTableRules from 'dynalite/validations/createTable.js';
import * as deleteItemRules from 'dynalite/validations/deleteItem.js';
import * as deleteTableRules from 'dynalite/validations/deleteTable.js';
import * as describeTableRules from 'dynalite/validations/describeTable.js';
import * as describeTimeToLiveRules from 'dynalite/validations/describeTimeToLive.js';
import * as getItemRules from 'dynalite/validations/getItem.js';
import * as listTablesRules from 'dynalite/validations/listTables.js';
import * as listTagsOfResourceRules from 'dynalite/validations/listTagsOfResource.js';
import * as putItemRules from 'dynalite/validations/putItem.js';
import * as queryRules from 'dynalite/validations/query.js';
import * as scanRules from 'dynalite/validations/scan.js';
import * as tagResourceRules from 'dynalite/validations/tagResource.js';
import * as untagResourceRules from 'dynalite/validations/untagResource.js';
import * as updateItemRules from 'dynalite/validations/updateItem.js';
import * as updateTableRules from 'dynalite/validations/updateTable.js';

type Action = (store: Store, data: Request, cb: Callback<Record<string, unknown>>) => void;
interface Operation {
  run: Action;
  rules: { types: unknown; custom: unknown };
}

/** dynalite's own operations, validated and run as its server does. */
/**
 * The dynalite this engine was written against: it reaches into about 35 of dynalite's internal
 * modules, which a patch release may change, so package.json pins it exactly and a different
 * installed version stops the engine at start with a message saying what to do.
 */
export const DYNALITE_VERSION = '4.0.0';

export function checkDynaliteVersion(installed: string): void {
  if (installed !== DYNALITE_VERSION) {
    throw new Error(`dynalite ${installed} is installed but the local engine was written against dynalite ${DYNALITE_VERSION} (it uses dynalite's internal modules): run npm ci, or check packages/local/src/dynalite against the new version and update DYNALITE_VERSION`);
  }
}

const dynalitePackage: unknown = createRequire(import.meta.url)('dynalite/package.json');
checkDynaliteVersion(typeof dynalitePackage === 'object' && dynalitePackage !== null && 'version' in dynalitePackage ? String(dynalitePackage.version) : 'of unknown version');

const operations = {
  BatchGetItem: { run: batchGetItem, rules: batchGetItemRules },
  BatchWriteItem: { run: batchWriteItem, rules: batchWriteItemRules },
  CreateTable: { run: createTable, rules: createTableRules },
  DeleteItem: { run: deleteItem, rules: deleteItemRules },
  DeleteTable: { run: deleteTable, rules: deleteTableRules },
  DescribeTable: { run: describeTable, rules: describeTableRules },
  DescribeTimeToLive: { run: describeTimeToLive, rules: describeTimeToLiveRules },
  GetItem: { run: getItem, rules: getItemRules },
  ListTables: { run: listTables, rules: listTablesRules },
  ListTagsOfResource: { run: listTagsOfResource, rules: listTagsOfResourceRules },
  PutItem: { run: putItem, rules: putItemRules },
  Query: { run: query, rules: queryRules },
  Scan: { run: scan, rules: scanRules },
  TagResource: { run: tagResource, rules: tagResourceRules },
  UntagResource: { run: untagResource, rules: untagResourceRules },
  UpdateItem: { run: updateItem, rules: updateItemRules },
  UpdateTable: { run: updateTable, rules: updateTableRules },
} satisfies Record<string, Operation>;
const operationNamed = new Map<string, Operation>(Object.entries(operations));

const API = 'DynamoDB_20120810';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const errorType = (name: string) => `com.amazonaws.dynamodb.v20120810#${name}`;

const isApiError = (error: unknown): error is ApiError =>
  error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number' && 'body' in error && typeof error.body === 'object';

function apiError(statusCode: number, body: Record<string, unknown>): ApiError {
  return Object.assign(new Error(String(body.message ?? body.Message ?? body.__type)), { statusCode, body });
}

const checkParses = process.env.TWOFOLD_ENGINE_CHECK_PARSE === '1';
cacheParses(conditionParser, 'condition', { check: checkParses });
cacheParses(updateParser, 'update', { check: checkParses });
cacheParses(projectionParser, 'projection', { check: checkParses });

// A failed condition's error carries the item as it was, when the request asks for it. dynalite's
// actions call this function through the module's exports when they check a condition, with the
// request (which keeps the field: see validated) and the item they read under the item's lock.
const checkConditional = db.checkConditional;
db.checkConditional = (data, existing) => {
  const failure = checkConditional(data, existing);
  if (failure && existing && data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') failure.body.Item = existing;
  return failure;
};

/** A request as dynalite's server would hand it to the operation: typed, validated, expressions parsed. */
function validated(store: Store, operation: string, raw: Request): Request {
  const rules = operationNamed.get(operation)?.rules;
  if (!rules) throw apiError(400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
  // dynalite does not know this field and would drop it: it is kept, and checked here
  const returnOld = raw.ReturnValuesOnConditionCheckFailure;
  if (returnOld !== undefined && returnOld !== 'ALL_OLD' && returnOld !== 'NONE') {
    throw db.validationError(`1 validation error detected: Value '${String(returnOld)}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`);
  }
  const data = validations.checkTypes({ ...raw }, rules.types);
  validations.checkValidations(data, rules.types, rules.custom, store);
  if (returnOld === 'ALL_OLD') data.ReturnValuesOnConditionCheckFailure = returnOld;
  return data;
}

const call = (store: Store, run: Action, data: Request) =>
  new Promise<Record<string, unknown>>((resolve, reject) => run(store, data, (error, result) => (error ? reject(error) : resolve(result ?? {}))));

const tableOf = (store: Store, name: string) => new Promise<Table>((resolve, reject) => store.getTable(name, (error, table) => (error || !table ? reject(error) : resolve(table))));

const isAttributeMap = (value: unknown): value is AttributeMap & Request => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What each kind of transaction element is, as a single request. */
const ELEMENTS = { ConditionCheck: 'DeleteItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' } as const satisfies Record<string, keyof typeof operations>;
type ElementKind = keyof typeof ELEMENTS;
const isElementKind = (k: string): k is ElementKind => Object.hasOwn(ELEMENTS, k);

interface Step {
  kind: ElementKind;
  request: Request;
  tableName: string;
  key: AttributeMap;
  before?: AttributeMap;
}

/** TransactWriteItems: all conditions first, then all writes, or nothing. */
async function transactWriteItems(store: Store, data: Request): Promise<Record<string, unknown>> {
  const elements = data.TransactItems;
  if (!Array.isArray(elements) || elements.length < 1 || elements.length > 100) {
    throw db.validationError("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1");
  }
  const steps: Step[] = [];
  const seen = new Set<string>();
  for (const element of elements) {
    const kinds = isAttributeMap(element) ? Object.keys(element).filter(isElementKind) : [];
    const kind = kinds[0];
    const body = kind && isAttributeMap(element) ? element[kind] : undefined;
    if (kinds.length !== 1 || !kind || !isAttributeMap(body)) throw db.validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    const request = validated(store, ELEMENTS[kind], body);
    if (kind === 'ConditionCheck' && typeof request.ConditionExpression !== 'string') {
      throw db.validationError("The parameter 'ConditionExpression' is required but was not present in the request");
    }
    const tableName = String(request.TableName);
    const table = await tableOf(store, tableName);
    const source = kind === 'Put' ? request.Item : request.Key;
    if (!isAttributeMap(source) || table.KeySchema.some((k) => !isAttributeMap(source[k.AttributeName]))) {
      throw db.validationError('The provided key element does not match the schema');
    }
    const key: AttributeMap = Object.fromEntries(table.KeySchema.map((k) => [k.AttributeName, source[k.AttributeName]!]));
    const id = `${tableName}/${db.createKey(key, table)}`;
    if (seen.has(id)) throw db.validationError('Transaction request cannot include multiple operations on one item');
    seen.add(id);
    steps.push({ kind, request, tableName, key });
  }

  for (const step of steps) {
    const { Item } = await call(store, getItem, { TableName: step.tableName, Key: step.key, ConsistentRead: true });
    if (isAttributeMap(Item)) step.before = Item;
  }
  const failed = steps.map((step) => Boolean(checkConditional(step.request, step.before)));
  if (failed.some(Boolean)) {
    const reasons = steps.map((step, i) =>
      failed[i]
        ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(step.before && step.request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: step.before } : {}) }
        : { Code: 'None' },
    );
    throw apiError(400, {
      __type: errorType('TransactionCanceledException'),
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      CancellationReasons: reasons,
    });
  }

  const applied: Step[] = [];
  const units = new Map<string, number>();
  try {
    for (const step of steps) {
      if (step.kind !== 'ConditionCheck') {
        const { ConditionExpression: _c, Expected: _e, ConditionalOperator: _o, ReturnValuesOnConditionCheckFailure: _r, ...write } = step.request;
        delete write._condition;
        const result = await call(store, operations[ELEMENTS[step.kind]].run, { ...write, ReturnConsumedCapacity: 'TOTAL' });
        applied.push(step);
        const consumed = isAttributeMap(result.ConsumedCapacity) ? Number(result.ConsumedCapacity.CapacityUnits) : 1;
        units.set(step.tableName, (units.get(step.tableName) ?? 0) + 2 * consumed);
      } else {
        units.set(step.tableName, (units.get(step.tableName) ?? 0) + 2 * Math.max(1, Math.ceil(db.itemSize(step.before ?? {}) / 1024)));
      }
    }
  } catch (error) {
    // put back what this transaction wrote: nothing else has run since it read the items
    for (const step of applied.reverse()) {
      await (step.before ? call(store, putItem, { TableName: step.tableName, Item: step.before }) : call(store, deleteItem, { TableName: step.tableName, Key: step.key }));
    }
    throw error;
  }
  const wantsCapacity = data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';
  return wantsCapacity ? { ConsumedCapacity: [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits })) } : {};
}

/**
 * dynalite answers CreateTable, UpdateTable and DeleteTable at once and finishes them on a timer
 * (`createTableMs: 0` and the like): a request right after one could find the table still
 * CREATING ("Requested resource not found"). As in DynamoDB Local, the change is done when its
 * answer is sent: this waits (inside the queue, so no other request runs first) until it is.
 */
async function settled(store: Store, operation: string, tableName: unknown): Promise<void> {
  if (typeof tableName !== 'string' || !['CreateTable', 'UpdateTable', 'DeleteTable'].includes(operation)) return;
  for (let i = 0; i < 1000; i++) {
    const table = await tableOf(store, tableName).catch(() => undefined);
    if (operation === 'DeleteTable' ? table === undefined : table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function run(store: Store, operation: string, data: Request): Promise<Record<string, unknown>> {
  if (operation === 'TransactWriteItems') return transactWriteItems(store, data);
  const op = operationNamed.get(operation);
  if (!op) throw apiError(400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
  const result = await call(store, op.run, validated(store, operation, data));
  await settled(store, operation, data.TableName);
  // an UpdateItem with nothing to return (UPDATED_OLD of attributes the item did not have) answers
  // without Attributes, as DynamoDB does; dynalite answers an empty map
  if (isAttributeMap(result.Attributes) && Object.keys(result.Attributes).length === 0) delete result.Attributes;
  return result;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amz-crc32': String(crc32(text)),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface Engine {
  server: Server;
  /** Stops serving, then closes the store (its files are complete). */
  close(): Promise<void>;
}

/** The engine's HTTP server (not yet listening), on a store at `path` or in memory. */
export function createEngine(options: { path?: string } = {}): Engine {
  const store = db.create({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let tail: Promise<unknown> = Promise.resolve();
  /** One request at a time, in arrival order. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'GET') return send(res, 200, { healthy: true });
      if (body === undefined) return send(res, 413, { __type: 'com.amazon.coral.service#SerializationException', Message: 'Request too large' });
      let data: unknown;
      try {
        data = JSON.parse(body);
      } catch {
        return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      }
      const [api, operation = ''] = String(req.headers['x-amz-target'] ?? '').split('.');
      if (req.method !== 'POST' || api !== API || !isAttributeMap(data)) return send(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
      try {
        send(res, 200, await serial(() => run(store, operation, data)));
      } catch (error) {
        if (isApiError(error)) return send(res, error.statusCode, error.body);
        console.error('local DynamoDB engine:', error);
        send(res, 500, { __type: 'com.amazon.coral.service#InternalFailure', message: 'The local engine failed; see its output.' });
      }
    })();
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => void serial(() => new Promise<void>((done) => store.db.close(() => done()))).then(resolve));
      }),
  };
}
