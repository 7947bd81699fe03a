/**
 * The API's errors as one typed error. Every error the API answers is
 * `{"error": {"code", "message", "details"?, "attemptsRemaining"?, "retryAfterSeconds"?}}`
 * with a stable `code`; anything else (a proxy's 502 page, a gateway timeout) becomes
 * `unexpected_response` with the HTTP status.
 */
import type { components } from './api-types.js';

export type ErrorBody = components['schemas']['Error'];

/** The codes of the API's error catalogue, and `unexpected_response` for an answer that is not one of its errors. */
export type TwofoldErrorCode = ErrorBody['error']['code'] | 'unexpected_response';

export interface ErrorDetail {
  /** The field, e.g. `body.code` */
  path: string;
  message: string;
}

export class TwofoldError extends Error {
  override readonly name = 'TwofoldError';
  /** Stable snake_case code, e.g. `invalid_code`, `locked`, `challenge_expired` */
  readonly code: TwofoldErrorCode;
  /** The HTTP status */
  readonly status: number;
  /** After a wrong code: how many more wrong answers lock the user (null: the policy sets no limit) */
  readonly attemptsRemaining: number | null | undefined;
  /** When locked or rate limited: seconds until trying again can work (the Retry-After header, else the body) */
  readonly retryAfterSeconds: number | undefined;
  /** `invalid_request`: which fields are wrong */
  readonly details: ErrorDetail[] | undefined;

  constructor(init: { code: TwofoldErrorCode; status: number; message: string; attemptsRemaining?: number | null; retryAfterSeconds?: number; details?: ErrorDetail[] }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.attemptsRemaining = init.attemptsRemaining;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.details = init.details;
  }

  /** The error an HTTP answer that is not a success stands for; `body` is its parsed JSON (or its text). */
  static fromResponse(response: Response, body: unknown): TwofoldError {
    const fromHeader = retryAfterSecondsOf(response.headers.get('retry-after'));
    if (isErrorBody(body)) {
      const e = body.error;
      return new TwofoldError({
        code: e.code,
        status: response.status,
        message: e.message,
        ...(e.attemptsRemaining !== undefined ? { attemptsRemaining: e.attemptsRemaining } : {}),
        ...(fromHeader ?? e.retryAfterSeconds) !== undefined ? { retryAfterSeconds: (fromHeader ?? e.retryAfterSeconds)! } : {},
        ...(e.details ? { details: e.details } : {}),
      });
    }
    return new TwofoldError({
      code: 'unexpected_response',
      status: response.status,
      message: `Unexpected answer from Twofold: HTTP ${response.status}`,
      ...(fromHeader !== undefined ? { retryAfterSeconds: fromHeader } : {}),
    });
  }
}

export const isTwofoldError = (error: unknown): error is TwofoldError => error instanceof TwofoldError;

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP date. */
export function retryAfterSecondsOf(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
