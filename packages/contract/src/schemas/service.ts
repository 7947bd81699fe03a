/** The service itself: health, the keys that sign assertions, the error body every route may return. */
import * as z from 'zod/mini';
import { errorCodes, type ErrorCode } from '../errors';
import { count } from './build';

export const Health = z.object({ status: z.literal('ok') }).check(z.meta({ id: 'Health' }));
export const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).check(z.meta({ description: 'Public JWKs (EC P-256, alg ES256), each with its kid' })) })
  .check(z.meta({ id: 'JWKS', description: 'RFC 7517 JSON Web Key Set' }));
export const Empty = z.strictObject({});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]).check(z.meta({ description: 'Stable snake_case error code (the catalogue may gain codes: treat an unknown one by its HTTP status)' })),
      message: z.string().check(z.meta({ description: 'What went wrong, for a developer (not meant for end users)' })),
      details: z
        .optional(z.array(z.object({ path: z.string().check(z.meta({ description: 'The field, e.g. body.code' })), message: z.string() })))
        .check(z.meta({ description: 'invalid_request: which fields are wrong and why (never the value sent)' })),
      attemptsRemaining: z
        .optional(z.nullable(count()))
        .check(z.meta({ description: 'invalid_code: how many more wrong answers lock the user (null when the policy sets no limit)' })),
      retryAfterSeconds: z.optional(count()).check(z.meta({ description: 'locked, rate_limited, tenant_rate_limited: seconds until trying again can work (also in the Retry-After header)' })),
    }),
  })
  .check(z.meta({ id: 'Error' }));
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A tenant's request quota, set by the operator (not the tenant's admin): a token bucket of
 * `burst` requests refilled at `requestsPerSecond`, over every keyed route of the tenant.
 */
export const TenantQuota = z
  .strictObject({
    requestsPerSecond: z.number().check(z.int(), z.minimum(1), z.maximum(100_000), z.meta({ description: 'Steady requests per second the tenant is served' })),
    burst: z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000), z.meta({ description: 'Requests served at once after a quiet spell (the bucket\'s size)' })),
  })
  .check(z.meta({ id: 'TenantQuota' }));
export type TenantQuota = z.infer<typeof TenantQuota>;
