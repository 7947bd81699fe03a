/**
 * `Idempotency-Key` on requests that send a message (challenge creation, resend): a retried
 * request returns the first one's answer instead of sending a second code. Powertools'
 * idempotency utility keeps the records (one conditional write claims a key; parallel
 * duplicates see it in progress), in its own table.
 *
 * An answer may hold a secret (a challenge's rotated `deviceToken`; any route wrapped here
 * later), and the replay must give the same client the same answer, so the answer cannot be
 * left out: it is stored sealed (AES-256-GCM, secret-box.ts) under the tenant's data key, bound
 * to tenant + operation + Idempotency-Key, and opened on replay. The table holds no plain
 * answer; the request itself is kept only as Powertools' hash of it (payload validation).
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { fail, open, seal } from '@twofold/core';
import type { Dependencies } from './container';

/** How long an answer is replayed for a repeated key. */
export const IDEMPOTENCY_SECONDS = 3600;

interface KeyedRequest {
  tenantId: string;
  operation: string;
  key: string;
  /** What must be the same for a repeated key: the route's parameters and body. */
  payload: unknown;
}

/** What the Idempotency-Key records take: where they are kept, and the tenant's keys to seal answers. */
export type IdempotencyDeps = Pick<Dependencies, 'idempotencyRecords' | 'tenant' | 'keyRing' | 'random'>;

/** What the idempotency table keeps of an answer. */
interface SealedAnswer {
  sealed: string;
}

const runners = new WeakMap<IdempotencyDeps, (request: KeyedRequest, run: () => Promise<SealedAnswer>) => Promise<SealedAnswer>>();

const bindingOf = (request: KeyedRequest) => ['idempotency', request.tenantId, request.operation, request.key];

function runnerFor(deps: IdempotencyDeps, context: Context | undefined) {
  let runner = runners.get(deps);
  if (!runner) {
    const config = new IdempotencyConfig({
      eventKeyJmesPath: '[tenantId, operation, key]',
      payloadValidationJmesPath: 'payload',
      expiresAfterSeconds: IDEMPOTENCY_SECONDS,
    });
    const idempotent = makeIdempotent((_request: KeyedRequest, run: () => Promise<SealedAnswer>) => run(), { persistenceStore: deps.idempotencyRecords, config, dataIndexArgument: 0 });
    runner = (request, run) => {
      if (context) config.registerLambdaContext(context);
      return idempotent(request, run);
    };
    runners.set(deps, runner);
  }
  return runner;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Runs `run` once per Idempotency-Key (when the request carries one) and replays its answer. */
export async function withIdempotencyKey<T>(
  deps: IdempotencyDeps,
  request: { key: string | undefined; tenantId: string; operation: string; payload: unknown; context?: Context },
  run: () => Promise<T>,
): Promise<T> {
  if (request.key === undefined) return run();
  if (!KEY_PATTERN.test(request.key)) fail('invalid_request', 'Idempotency-Key must be 1-255 printable ASCII characters.');
  const keyed: KeyedRequest = { tenantId: request.tenantId, operation: request.operation, key: request.key, payload: request.payload };
  const keys = await deps.keyRing.keysFor(await deps.tenant(request.tenantId));
  try {
    // the first run's answer is sealed before Powertools stores it; a replay gets the stored one back
    const { sealed } = await runnerFor(deps, request.context)(keyed, async () => ({
      sealed: seal(keys.sealKey, deps.random, Buffer.from(JSON.stringify(await run()), 'utf8'), bindingOf(keyed)),
    }));
    // the first run's answer as JSON: what the route answers is that JSON in either case
    return JSON.parse(Buffer.from(open(keys.sealKey, sealed, bindingOf(keyed))).toString('utf8')) as T;
  } catch (error) {
    if (error instanceof IdempotencyAlreadyInProgressError) fail('idempotency_in_progress');
    if (error instanceof IdempotencyValidationError) fail('idempotency_key_reused');
    throw error;
  }
}
