/**
 * One contract for where the Idempotency-Key records are kept (Powertools' DynamoDB layer, and the
 * memory tables' layer), through `makeIdempotent` as runtime/idempotency.ts uses it: of
 * 20 parallel requests with one key the work runs once and the others are told it is in progress;
 * a later one gets the first answer back; the same key with another payload is refused; a run
 * that failed leaves no record, so its retry runs.
 */
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeImplementations, unique, type Stores } from '../support/stores';

interface Keyed {
  key: string;
  payload: unknown;
}

describe.each(storeImplementations)('Idempotency-Key records contract: %s', (_, make) => {
  let s: Stores;
  let runs: number;
  let idempotent: (request: Keyed, work: () => Promise<{ answer: string }>) => Promise<{ answer: string }>;
  beforeAll(async () => {
    s = await make();
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', payloadValidationJmesPath: 'payload', expiresAfterSeconds: 3600 });
    // as idempotency.ts does with the function's context: a claim is in progress for the invocation's remaining time
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 10_000 } as Context);
    idempotent = makeIdempotent((_request: Keyed, work: () => Promise<{ answer: string }>) => work(), { persistenceStore: s.idempotencyRecords, config, dataIndexArgument: 0 });
  });
  afterAll(() => s.stop());

  const slowly = (answer: string) => async () => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { answer };
  };

  it('runs the work once for 20 parallel requests with one key; the others are told it is in progress; a later one gets the first answer', async () => {
    runs = 0;
    const key = unique('k_');
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => idempotent({ key, payload: { n: 1 } }, slowly(`answer ${i}`))));
    expect(runs).toBe(1);
    const answers = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.answer] : []));
    expect(answers).toHaveLength(1);
    for (const r of settled) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IdempotencyAlreadyInProgressError);
    expect(await idempotent({ key, payload: { n: 1 } }, slowly('another'))).toEqual({ answer: answers[0] });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another payload, and keeps keys apart', async () => {
    runs = 0;
    const key = unique('k_');
    await idempotent({ key, payload: { n: 1 } }, slowly('first'));
    await expect(idempotent({ key, payload: { n: 2 } }, slowly('second'))).rejects.toBeInstanceOf(IdempotencyValidationError);
    expect(await idempotent({ key: unique('k_'), payload: { n: 2 } }, slowly('other key'))).toEqual({ answer: 'other key' });
    expect(runs).toBe(2);
  });

  it('leaves no record of a run that failed: its retry runs', async () => {
    runs = 0;
    const key = unique('k_');
    await expect(idempotent({ key, payload: {} }, async () => { runs++; throw new Error('store unavailable'); })).rejects.toThrow('store unavailable');
    expect(await idempotent({ key, payload: {} }, slowly('retried'))).toEqual({ answer: 'retried' });
    expect(runs).toBe(2);
  });
});
