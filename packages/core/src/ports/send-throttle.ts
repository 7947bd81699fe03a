/** How many codes may be sent in a sliding hour, per user, per destination and per tenant. */
export interface SendLimits {
  perUserPerHour: number;
  perDestinationPerHour: number;
  perTenantPerHour: number;
}

/** What a taken send counted, for giving it back. Opaque to the core. */
export interface SendTicket {
  readonly tenantId: string;
  readonly userId: string;
  readonly destinationKey: string;
  readonly nowMs: number;
}

export type ThrottleOutcome = { allowed: true; ticket: SendTicket } | { allowed: false; scope: 'user' | 'destination' | 'tenant'; retryAfterSeconds: number };

/**
 * Velocity limits on sending codes (SMS costs money per message: toll fraud and code bombing).
 * Enforced with conditional writes, so parallel requests cannot overshoot a limit. A refused
 * take counts nothing; a send refused after its take (a resend that lost a race, a factor
 * already confirmed) gives its ticket back with `release`, so that a refusal never uses up a
 * quota.
 */
export interface SendThrottle {
  take(input: { tenantId: string; userId: string; destinationKey: string; nowMs: number; limits: SendLimits }): Promise<ThrottleOutcome>;
  release(ticket: SendTicket): Promise<void>;
  /** Forgets the user's own counters (erasure); the tenant's and destinations' stay (they hold no user). */
  forgetUser(tenantId: string, userId: string): Promise<void>;
}
