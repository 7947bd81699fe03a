/** @twofold/client: the typed client of the Twofold API. */
export * from './client.js';
export { TwofoldError, isTwofoldError, type ErrorBody, type ErrorDetail, type TwofoldErrorCode } from './errors.js';
export type { RetryOptions, Fetch } from './retry.js';
export type { components, operations, paths } from './api-types.js';
