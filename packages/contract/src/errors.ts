/**
 * The error catalogue: every error the API can return, with its HTTP status and the public
 * message a client sees. The core throws codes; only the runtime turns them into responses,
 * through this one table. A 5xx message never says anything about internals.
 */
export const errorCatalogue = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_grant: { status: 400, message: 'The code is not valid: unknown, expired, already used, or not for this verifier.' },
  unauthorized: { status: 401, message: 'A valid API key is required: send Authorization: Bearer <apiKey>.' },
  forbidden: { status: 403, message: 'This API key may not call this operation.' },
  fresh_verification_required: { status: 403, message: 'This operation needs a fresh two-factor verification.' },
  not_found: { status: 404, message: 'No such route.' },
  user_not_found: { status: 404, message: 'No such user.' },
  factor_not_found: { status: 404, message: 'No such factor.' },
  challenge_not_found: { status: 404, message: 'No such challenge.' },
  device_not_found: { status: 404, message: 'No such device.' },
  prompt_not_found: { status: 404, message: 'No such prompt.' },
  api_key_not_found: { status: 404, message: 'No such API key.' },
  method_not_allowed: { status: 405, message: 'This route does not accept that method.' },
  factor_already_active: { status: 409, message: 'This factor is already active.' },
  challenge_already_verified: { status: 409, message: 'This challenge has already been verified.' },
  not_enrolled: { status: 409, message: 'The user has no active second factor.' },
  too_many_factors: { status: 409, message: 'The user has too many factors; remove one first.' },
  sms_not_configured: {
    status: 409,
    message: 'This deployment has no SMS sender. Set sms.senderId or sms.originationNumber in the CDK app settings (cdk.json context "twofold") and deploy again.',
  },
  email_not_configured: {
    status: 409,
    message: 'This deployment has no email sender. Set email.fromAddress (a verified SES identity) in the CDK app settings and deploy again.',
  },
  duplicate_destination: { status: 409, message: 'The user already has a factor with this destination.' },
  last_admin_key: { status: 409, message: "This is the tenant's last admin key: create another admin key before revoking it." },
  idempotency_in_progress: { status: 409, message: 'A request with this Idempotency-Key is still in progress; retry shortly.' },
  challenge_expired: { status: 410, message: 'This challenge has expired; start a new one.' },
  prompt_expired: { status: 410, message: 'This prompt has expired; go back to the app and sign in again.' },
  enrollment_expired: { status: 410, message: 'This enrollment can no longer be confirmed; start it again.' },
  payload_too_large: { status: 413, message: 'The request body is larger than 16 KiB.' },
  unsupported_media_type: { status: 415, message: 'This route does not accept that Content-Type.' },
  invalid_code: { status: 422, message: 'The code is not valid.' },
  invalid_credential: { status: 422, message: 'The passkey or security key response is not valid.' },
  method_not_available: { status: 422, message: 'The user cannot use that method.' },
  invalid_redirect_uri: { status: 422, message: "The redirect URI is not one of the policy's hostedPrompt.redirectUris." },
  invalid_policy: { status: 422, message: 'The policy is not valid.' },
  invalid_phone_number: { status: 422, message: 'The phone number is not valid: give it in international format, e.g. +447700900123.' },
  phone_number_not_allowed: { status: 422, message: 'Codes cannot be sent to this phone number.' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used for a different request.' },
  locked: { status: 423, message: 'Too many failed attempts; try again later.' },
  rate_limited: { status: 429, message: 'Too many codes were sent; try again later.' },
  tenant_rate_limited: { status: 429, message: "This tenant is over its request quota; retry after the Retry-After header's seconds." },
  resend_limit_reached: { status: 429, message: 'No more codes can be sent for this challenge; start a new login.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  delivery_failed: { status: 502, message: 'The code could not be delivered; try again.' },
  service_unavailable: { status: 503, message: 'The service is busy or a store it depends on failed for a moment; retry shortly (nothing was left half done).' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
