/** DynamoDB: the client every table's adapter reads and writes through (its own module: see parts.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '@twofold/adapters/aws/dynamo';
import type { Dependencies } from '../container';
import type { Part } from '../wiring';

export const dynamo: Part<Dependencies['dynamo']> = (w) =>
  w.overrides.dynamo ??
  new DynamoDBClient({
    region: w.config.region,
    ...(w.config.dynamoDbEndpoint ? { endpoint: w.config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
export const db: Part<Dependencies['db']> = (w) => documentClient(w.get(dynamo));
