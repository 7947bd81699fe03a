/**
 * The one place an error becomes an HTTP response. Domain errors carry a code from the
 * contract's catalogue, and the catalogue gives the status; anything else is a bug and becomes
 * a 500 that says nothing about internals (the log has the rest).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { errorCatalogue, type ErrorBody, type ErrorCode } from '@twofold/contract';
import { DomainError } from '@twofold/core/errors';
import { logger } from './logger';

export const jsonHeaders = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

export function errorResponse(code: ErrorCode, message?: string, fields: DomainError['fields'] = {}): APIGatewayProxyStructuredResultV2 {
  const { status } = errorCatalogue[code];
  const body: ErrorBody = { error: { code, message: message ?? errorCatalogue[code].message, ...fields } };
  const headers: Record<string, string> = { ...jsonHeaders };
  if (fields.retryAfterSeconds !== undefined) headers['retry-after'] = String(fields.retryAfterSeconds);
  // RFC 9110 §15.5.2: a 401 must name the scheme that would be accepted
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer';
  return { statusCode: status, headers, body: JSON.stringify(body) };
}

/** Zod's issues as `details`: which field, and what is wrong with it (never the value sent). */
export function detailsOf(error: z.core.$ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

export function toErrorResponse(error: unknown, context: Record<string, string | undefined> = {}): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    const { status } = errorCatalogue[error.code];
    if (status >= 500) logger.error('request failed', { code: error.code, ...context, ...error.logDetails });
    else logger.info('request refused', { code: error.code, ...context });
    const message = status >= 500 ? undefined : error.message === error.code ? undefined : error.message;
    return errorResponse(error.code, message, error.fields);
  }
  if (isTransientStoreFailure(error)) {
    // a store that failed or throttled: the change is all or nothing, so a retry is safe
    logger.warn('store unavailable', { ...context, error: (error as Error).name });
    return errorResponse('service_unavailable', undefined, { retryAfterSeconds: 1 });
  }
  logger.error('unexpected error', { ...context, error: error as Error });
  return errorResponse('internal_error');
}

/** An AWS service's own failure (5xx, throttling, a timeout), as the SDK reports it. */
function isTransientStoreFailure(error: unknown): boolean {
  const e = error as { $fault?: string; $retryable?: unknown; name?: string };
  return e?.$fault === 'server' || e?.$retryable !== undefined || /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TimeoutError/.test(e?.name ?? '');
}
