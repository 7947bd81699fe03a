/**
 * Where the Idempotency-Key records are kept (idempotency.ts): Powertools' DynamoDB layer on its
 * table, or the storage of an override. Its own module: only the function that wires it loads
 * Powertools' layer.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Part } from '../wiring';
import { dynamo } from './dynamo';

export const idempotencyRecords: Part<BasePersistenceLayer> = (w) => w.overrides.storage?.idempotencyRecords ?? new DynamoDBPersistenceLayer({ tableName: w.config.tables.idempotency, awsSdkV3Client: w.get(dynamo) });
