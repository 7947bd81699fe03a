/** DynamoDB: the clients every table's adapter reads and writes through (their own module: see parts.ts). */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { documentClient, dynamoClient } from '@twofold/adapters/aws/dynamo';
import type { Dependencies } from '../dependencies';
import type { Part, Wiring } from '../wiring';

const settings = (w: Wiring): DynamoDBClientConfig => ({
  region: w.config.region,
  ...(w.config.dynamoDbEndpoint ? { endpoint: w.config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
});

export const dynamo: Part<Dependencies['dynamo']> = (w) => w.overrides.dynamo ?? dynamoClient(settings(w));
export const db: Part<Dependencies['db']> = (w) => documentClient(w.get(dynamo));
/**
 * The login's two calls go through a client of their own, with the SDK's middleware resolved
 * once per kind of command instead of on every call (`cacheMiddleware`, which lib-dynamodb's
 * DocumentClient refuses): the same settings, and the same HTTP handler (one pool of
 * connections), as `dynamo`. An overriding client serves for both.
 */
export const hotDynamo: Part<Dependencies['hotDynamo']> = (w) =>
  w.overrides.dynamo ?? dynamoClient({ ...settings(w), cacheMiddleware: true, requestHandler: w.get(dynamo).config.requestHandler });
