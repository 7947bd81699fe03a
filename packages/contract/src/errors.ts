/**
 * The error catalogue: every error the API can return, with its HTTP status and the public
 * message a client sees. The core throws codes; only the runtime turns them into responses,
 * through this one table. A 5xx message never says anything about internals.
 */
export const errorCatalogue = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  unauthorized: { status: 401, message: 'A valid API key is required: send Authorization: Bearer <apiKey>.' },
  forbidden: { status: 403, message: 'This API key may not call this operation.' },
  fresh_verification_required: { status: 403, message: 'This operation needs a fresh two-factor verification.' },
  not_found: { status: 404, message: 'No such route.' },
  user_not_found: { status: 404, message: 'No such user.' },
  factor_not_found: { status: 404, message: 'No such factor.' },
  challenge_not_found: { status: 404, message: 'No such challenge.' },
  method_not_allowed: { status: 405, message: 'This route does not accept that method.' },
  factor_already_active: { status: 409, message: 'This factor is already active.' },
  challenge_already_verified: { status: 409, message: 'This challenge has already been verified.' },
  not_enrolled: { status: 409, message: 'The user has no active second factor.' },
  too_many_factors: { status: 409, message: 'The user has too many factors; remove one first.' },
  challenge_expired: { status: 410, message: 'This challenge has expired; start a new one.' },
  enrollment_expired: { status: 410, message: 'This enrollment can no longer be confirmed; start it again.' },
  payload_too_large: { status: 413, message: 'The request body is larger than 16 KiB.' },
  invalid_code: { status: 422, message: 'The code is not valid.' },
  method_not_available: { status: 422, message: 'The user cannot use that method.' },
  invalid_policy: { status: 422, message: 'The policy is not valid.' },
  locked: { status: 423, message: 'Too many failed attempts; try again later.' },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  delivery_failed: { status: 502, message: 'The code could not be delivered; try again.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
