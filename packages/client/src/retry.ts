/**
 * Optional retries of answers that may go better a moment later: 5xx, a 429 with a Retry-After
 * the caller is willing to wait, and network failures. Exponential backoff with full jitter
 * (each wait is random, up to base × 2^attempt, capped), or the server's Retry-After when longer.
 *
 * Only requests that are safe to repeat are retried: GET, PUT and DELETE (idempotent by
 * HTTP's definition, RFC 9110 §9.2.2), and a POST that carries an Idempotency-Key (the server
 * answers a repeat with the first answer). A POST without one (answering a challenge) is never
 * sent twice: its first try may have counted.
 */
import { retryAfterSecondsOf } from './errors.js';

export interface RetryOptions {
  /** Retries after the first try (default 2). */
  retries?: number;
  /** The first backoff's upper bound, in ms (default 200); it doubles each retry. */
  baseDelayMs?: number;
  /** No single wait is longer (default 5000 ms); a Retry-After longer than this is not waited for. */
  maxDelayMs?: number;
}

export type Fetch = (request: Request) => Promise<Response>;

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export const canRepeat = (request: Request) => idempotentMethods.has(request.method) || request.headers.has('idempotency-key');

export function retryingFetch(fetchOnce: Fetch, options: RetryOptions, sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))): Fetch {
  const retries = options.retries ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  return async (request) => {
    if (!canRepeat(request)) return fetchOnce(request);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      const backoffMs = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      let response: Response;
      try {
        response = await fetchOnce(last ? request : request.clone());
      } catch (error) {
        if (last) throw error;
        await sleep(backoffMs);
        continue;
      }
      if (last || !(response.status >= 500 || response.status === 429)) return response;
      const retryAfterMs = (retryAfterSecondsOf(response.headers.get('retry-after')) ?? -1) * 1000;
      // a 429 says when; without a Retry-After (a limit that will not lift soon) or with one too long, give up now
      if (response.status === 429 && (retryAfterMs < 0 || retryAfterMs > maxDelayMs)) return response;
      if (retryAfterMs > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(Math.max(backoffMs, retryAfterMs));
    }
  };
}
