import type { SecurityEvent } from '@twofold/contract/events';
import type { UserStatus } from '@twofold/contract/schemas';
import type { FactorRecord, RecoverySet, UserAggregate, UserProfile, UserSummary } from '../records';
import type { CompletionOutcome, LoginPatch } from './challenge-store';
import type { TrustedDevice } from './device-store';

/** Reading a user: profile, factors, recovery codes and failure counter, together in one read. */
export interface UserReader {
  load(tenantId: string, userId: string): Promise<UserAggregate>;
}

/**
 * A user, read (UserReader) and changed: every change that matters to the user's
 * security or to the overview is one atomic UserChange (see UserChanges); what is left here are
 * single conditional writes on a pending factor, which change nothing else.
 */
export interface UserStore extends UserReader, UserChanges {
  /** Many users at once, in the order asked (an import reads a batch of them). */
  loadMany(tenantId: string, userIds: string[]): Promise<UserAggregate[]>;
  /** A new confirmation code for a pending SMS/email factor; false when it is not pending any more. */
  replaceFactorCode(tenantId: string, userId: string, factorId: string, code: { codeHash: string; codeExpiresAtMs: number }): Promise<boolean>;
  /** Counts a wrong code on a pending factor; false when its attempts are used up. */
  countFactorFailure(tenantId: string, userId: string, factorId: string, maxAttempts: number): Promise<number | false>;
  /** A tenant's users' summaries, a page at a time (the overview recount). */
  summaries(tenantId: string, cursor: string | undefined, limit: number): Promise<{ summaries: UserSummary[]; nextCursor: string | null }>;
  /** A tenant's user ids in order, optionally only of one status or role, a page at a time. */
  listUsers(tenantId: string, query: { status?: UserStatus; role?: string; cursor?: string; limit: number }): Promise<{ userIds: string[]; nextCursor: string | null }>;
}

/**
 * One change to a user and everything it causes — its security events, its overview counter
 * moves, the trusted devices it revokes — committed together or not at all, and only if the
 * user's revision is still the one the change was decided on (so that of racing changes one
 * wins, and the others decide again on what it left).
 */
export interface UserChange {
  tenantId: string;
  userId: string;
  /** The revision read (0: the user has no profile yet). */
  revision: number;
  /** The user is erased: the profile goes (with the other parts the change names), and their share of the overview. */
  erase?: boolean;
  /** Profile fields to set (undefined removes one); a new user's profile is created. */
  profile?: Partial<Omit<UserProfile, 'tenantId' | 'userId'>>;
  twoFactorOn?: boolean;
  summary: UserSummary;
  /** Whether the scheduled grace job should find the user by `summary.graceEndsAtMs`. */
  inGraceIndex: boolean;
  putFactors?: FactorRecord[];
  deleteFactors?: string[];
  recovery?: { put: RecoverySet } | { remove: true } | { spend: string };
  login?: LoginPatch;
  devices?: { add?: TrustedDevice; rememberIp?: { ipKey: string; keepUntilMs: number; deviceId: string }; remove?: string[]; forgetIps?: string[] };
  /**
   * Passkey credential ids taken by this user (a credential id belongs to one user of a tenant:
   * claiming one another user holds voids the change, 'credential_taken') and given up with the
   * factors that held them. Derived by changeUser from the factors the change puts and deletes.
   */
  credentials?: { claim: CredentialHolder[]; release: CredentialHolder[] };
  events: SecurityEvent[];
  /** How long the events are kept in the audit trail (the tenant's policy.auditRetentionDays). */
  auditRetentionDays?: number;
  /** How the tenant's overview counters move. */
  stats: Record<string, number>;
}

export interface CredentialHolder {
  credentialId: string;
  factorId: string;
}

/** 'credential_taken': a passkey the change claims is registered to another user (the change is void). */
export type ChangeOutcome = 'committed' | 'conflict' | 'credential_taken' | { refused: CompletionOutcome };

export interface UserChanges {
  /**
   * Commits the change atomically. 'conflict': another change moved the revision first (decide
   * again); `refused`: the login part's conditions did not hold, and why (the change is void).
   */
  commit(change: UserChange): Promise<ChangeOutcome>;
  /**
   * Commits many users' changes (one tenant's, none with a login part), each all or nothing, a
   * few to a transaction: for each, whether it committed. false: nothing of it is known to have
   * been written (a condition failed, or the store failed before or after taking it); read the
   * user again and decide again.
   */
  commitMany(changes: UserChange[]): Promise<boolean[]>;
}
