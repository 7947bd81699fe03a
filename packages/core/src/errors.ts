import type { ErrorCode } from '@twofold/contract/errors';

export interface DomainErrorFields {
  /** For `invalid_request`: which field is wrong and why. */
  details?: { path: string; message: string }[];
  attemptsRemaining?: number | null;
  retryAfterSeconds?: number;
}

/**
 * A failure the client can act on. It carries a stable code from the contract's catalogue and
 * never an HTTP status: the runtime's one table turns codes into responses.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly fields: DomainErrorFields = {},
    /** For the log only, never for the client: nothing secret, no full destination. */
    readonly logDetails?: Record<string, string>,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}

export const fail = (code: ErrorCode, message?: string, fields?: DomainErrorFields): never => {
  throw new DomainError(code, message, fields);
};
