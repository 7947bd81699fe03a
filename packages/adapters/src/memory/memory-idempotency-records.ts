/**
 * The Idempotency-Key records in memory: a Powertools persistence layer on the memory tables,
 * with the DynamoDB layer's rule for taking a key (no record, an expired one, or a claim whose
 * invocation has run out of time), checked and written with no `await` between: of parallel
 * requests with one key, one claims it. (Powertools' cache layer, the other choice, drops the
 * payload hash when it completes a record, so a replay would be refused as another payload.)
 */
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { MemoryTables } from './memory-tables';

export class MemoryIdempotencyRecords extends BasePersistenceLayer {
  constructor(private readonly tables: MemoryTables) {
    super();
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const stored = this.tables.idempotency.get(idempotencyKey);
    if (!stored) throw new IdempotencyItemNotFoundError('Item does not exist in persistence store');
    return copyOf(stored);
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const stored = this.tables.idempotency.get(record.idempotencyKey);
    const nowMs = Date.now();
    const free =
      !stored ||
      (stored.expiryTimestamp !== undefined && stored.expiryTimestamp < nowMs / 1000) ||
      (stored.getStatus() === IdempotencyRecordStatus.INPROGRESS && stored.inProgressExpiryTimestamp !== undefined && stored.inProgressExpiryTimestamp < nowMs);
    if (!free) throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, copyOf(stored));
    this.tables.idempotency.set(record.idempotencyKey, copyOf(record, this.isPayloadValidationEnabled()));
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const stored = this.tables.idempotency.get(record.idempotencyKey);
    // as the DynamoDB layer's UpdateItem: status, expiry and answer change, the payload hash stays
    this.tables.idempotency.set(
      record.idempotencyKey,
      new IdempotencyRecord({
        idempotencyKey: record.idempotencyKey,
        status: record.getStatus(),
        ...(record.expiryTimestamp !== undefined ? { expiryTimestamp: record.expiryTimestamp } : {}),
        ...(record.responseData !== undefined ? { responseData: structuredClone(record.responseData) } : {}),
        ...(stored?.payloadHash !== undefined ? { payloadHash: stored.payloadHash } : {}),
        ...(stored?.inProgressExpiryTimestamp !== undefined ? { inProgressExpiryTimestamp: stored.inProgressExpiryTimestamp } : {}),
      }),
    );
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.tables.idempotency.delete(record.idempotencyKey);
  }
}

function copyOf(record: IdempotencyRecord, withHash = true): IdempotencyRecord {
  return new IdempotencyRecord({
    idempotencyKey: record.idempotencyKey,
    status: record.getStatus(),
    ...(record.expiryTimestamp !== undefined ? { expiryTimestamp: record.expiryTimestamp } : {}),
    ...(record.inProgressExpiryTimestamp !== undefined ? { inProgressExpiryTimestamp: record.inProgressExpiryTimestamp } : {}),
    ...(record.responseData !== undefined ? { responseData: structuredClone(record.responseData) } : {}),
    ...(withHash && record.payloadHash !== undefined ? { payloadHash: record.payloadHash } : {}),
  });
}
