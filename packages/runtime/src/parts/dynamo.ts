/** DynamoDB: the client every table's adapter reads and writes through (its own module: see parts.ts). */
import { documentClient, dynamoClient } from '@twofold/adapters/aws/dynamo';
import type { Dependencies } from '../container';
import type { Part } from '../wiring';

export const dynamo: Part<Dependencies['dynamo']> = (w) =>
  w.overrides.dynamo ??
  dynamoClient({
    region: w.config.region,
    ...(w.config.dynamoDbEndpoint ? { endpoint: w.config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
export const db: Part<Dependencies['db']> = (w) => documentClient(w.get(dynamo));
