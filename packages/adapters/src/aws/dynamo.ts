import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fail } from '@twofold/core/errors';

/**
 * What a DynamoDB call does not need, of what the SDK does on every call (its CPU per call is
 * most of a warm verification's, in profiles of `npm start`):
 * - the logger middleware builds a redacted copy of every request and response for its logger,
 *   even when that logger is the default no-op one, and nothing reads the SDK's logs;
 * - the recursion-detection middleware reads the environment for a trace id to pass on, which
 *   only services that invoke functions (Lambda, SQS, SNS) act on; tracing has its own.
 * The user-agent middleware stays, although it costs as much: Powertools (idempotency) adds its
 * own middleware relative to it, and every call on the client fails without it.
 */
const UNNEEDED_MIDDLEWARE = ['loggerMiddleware', 'recursionDetectionMiddleware'];

/** A DynamoDB client as Twofold's adapters use it: the SDK's, less UNNEEDED_MIDDLEWARE. */
export function dynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient(config);
  for (const name of UNNEEDED_MIDDLEWARE) client.middlewareStack.remove(name);
  return client;
}

export function documentClient(config: DynamoDBClientConfig | DynamoDBClient = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(config instanceof DynamoDBClient ? config : dynamoClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Runs a conditional write; false when its condition did not hold (someone else won). */
export async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** A page's LastEvaluatedKey as an opaque cursor for the client. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | null =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;

/**
 * A client's cursor back to an ExclusiveStartKey. It must carry `expected` (the caller's tenant,
 * say): a cursor made for another tenant or made up is refused with a 400, never passed on.
 */
export function decodeCursor(cursor: string, expected: Record<string, unknown>): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.values(key).every((v) => typeof v === 'string' || typeof v === 'number') &&
    Object.entries(expected).every(([k, v]) => (key as Record<string, unknown>)[k] === v);
  if (!valid) fail('invalid_request', 'The cursor is not valid: pass the nextCursor of the previous page unchanged.');
  return key as Record<string, unknown>;
}
