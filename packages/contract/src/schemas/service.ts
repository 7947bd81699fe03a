/** The service itself: health, the keys that sign assertions, the error body every route may return. */
import * as z from 'zod/mini';
import { int } from './build';

export const Health = z.object({ status: z.literal('ok') });
export const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .check(z.meta({ id: 'JWKS', description: 'RFC 7517 JSON Web Key Set' }));
export const Empty = z.strictObject({});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().check(z.meta({ description: 'Stable snake_case error code' })),
      message: z.string(),
      details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
      attemptsRemaining: z.optional(z.nullable(int())),
      retryAfterSeconds: z.optional(int()),
    }),
  })
  .check(z.meta({ id: 'Error' }));
export type ErrorBody = z.infer<typeof ErrorBody>;
