/**
 * Where the Idempotency-Key records are kept (idempotency.ts): Powertools' DynamoDB layer on its
 * table, or a layer of the same rules on the memory tables of an override. Its own module: only
 * the function that wires it loads Powertools' layers.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MemoryIdempotencyRecords } from '@twofold/adapters/memory/memory-idempotency-records';
import type { Part } from '../wiring';
import { dynamo } from './dynamo';

export const idempotencyRecords: Part<BasePersistenceLayer> = (w) =>
  w.overrides.memory
    ? new MemoryIdempotencyRecords(w.overrides.memory)
    : new DynamoDBPersistenceLayer({ tableName: w.config.tables.idempotency, awsSdkV3Client: w.get(dynamo) });
