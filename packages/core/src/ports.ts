/**
 * The capabilities the core needs from the world, named for what they do. Adapters for AWS
 * (DynamoDB, KMS) and for the local runtime implement them; the core never sees which.
 */
import type { SecurityEvent } from '@twofold/contract/events';
import type { Policy, Scope } from '@twofold/contract/schemas';
import type { UserStatus } from '@twofold/contract/schemas';
import type { ApiKeyRecord, ChallengeRecord, FactorRecord, RecoverySet, TenantRecord, UserAggregate, UserProfile, UserSummary, WebauthnCredentialRecord } from './records';
import type { CredentialUse } from './webauthn-relying-party';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export interface Random {
  /** Cryptographically secure random bytes. */
  bytes(length: number): Uint8Array;
}

export type EncryptionContext = Record<string, string>;

/** Protects data keys with a master key the service never holds (KMS in AWS, a key file locally). */
export interface KeyVault {
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Uint8Array; wrapped: string }>;
  decryptDataKey(wrapped: string, context: EncryptionContext): Promise<Uint8Array>;
}

/** Sends a text message to a phone number (E.164). Throws when the message was not accepted. */
export interface SmsSender {
  send(message: { to: string; body: string }): Promise<void>;
}

/** Sends an email with a plain-text and an HTML body. Throws when the message was not accepted. */
export interface EmailSender {
  send(message: { to: string; subject: string; text: string; html: string }): Promise<void>;
}

/** How many codes may be sent in a sliding hour, per user, per destination and per tenant. */
export interface SendLimits {
  perUserPerHour: number;
  perDestinationPerHour: number;
  perTenantPerHour: number;
}

export type ThrottleOutcome = { allowed: true } | { allowed: false; scope: 'user' | 'destination' | 'tenant'; retryAfterSeconds: number };

/**
 * Velocity limits on sending codes (SMS costs money per message: toll fraud and code bombing).
 * Enforced with conditional writes, so parallel requests cannot overshoot a limit.
 */
export interface SendThrottle {
  take(input: { tenantId: string; userId: string; destinationKey: string; nowMs: number; limits: SendLimits }): Promise<ThrottleOutcome>;
}

export interface TenantDirectory {
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  /** Fails (returns false) when the tenant exists already. */
  createTenant(tenant: TenantRecord): Promise<boolean>;
  putPolicy(tenantId: string, policy: Policy, enforcementSince?: TenantRecord['enforcementSince']): Promise<void>;
  getApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
}

export type FailureOutcome =
  | { counted: true; failures: number; windowEndsAtMs: number }
  | { counted: false; reason: 'locked'; lockedUntilMs: number };

/** Reading a user's partition: profile, factors, recovery codes and failure counter, together in one query. */
export interface UserReader {
  load(tenantId: string, userId: string): Promise<UserAggregate>;
}

/**
 * A user's partition, read (UserReader) and changed. Every method that changes state is one
 * conditional write, so that parallel requests cannot both win.
 */
export interface UserStore extends UserReader {
  putProfile(profile: UserProfile): Promise<UserProfile>;
  /** Creates the profile only if it does not exist. */
  ensureProfile(tenantId: string, userId: string, nowMs: number): Promise<void>;
  addFactor(tenantId: string, userId: string, factor: FactorRecord): Promise<void>;
  /**
   * pending → active (for SMS/email only while its code is still `expectedCodeHash`; for webauthn
   * only while its registration challenge is still `webauthn.expectedChallenge` and unexpired,
   * storing the credential); false when not.
   */
  activateFactor(
    tenantId: string,
    userId: string,
    factorId: string,
    update: { step?: number; nowMs: number; expectedCodeHash?: string; webauthn?: { expectedChallenge: string; credential: WebauthnCredentialRecord } },
  ): Promise<boolean>;
  /** A new confirmation code for a pending SMS/email factor; false when it is not pending any more. */
  replaceFactorCode(tenantId: string, userId: string, factorId: string, code: { codeHash: string; codeExpiresAtMs: number }): Promise<boolean>;
  /** Counts a wrong code on a pending factor; false when its attempts are used up. */
  countFactorFailure(tenantId: string, userId: string, factorId: string, maxAttempts: number): Promise<number | false>;
  /** Records that a TOTP time step was used; false when that step (or a later one) was used already. */
  useTotpStep(tenantId: string, userId: string, factorId: string, step: number, nowMs: number): Promise<boolean>;
  /**
   * Records an accepted passkey signature: the active credential's counter moves from
   * `expectedSignCount` to `signCount` (and its sealed part is replaced when given); false when the
   * counter is no longer `expectedSignCount` (another signature was accepted meanwhile) or the factor is gone.
   */
  useWebauthnCredential(tenantId: string, userId: string, use: CredentialUse): Promise<boolean>;
  deleteFactor(tenantId: string, userId: string, factorId: string): Promise<boolean>;
  /** Writes a new set, replacing any other; with onlyIfAbsent, false when a set exists. */
  putRecoverySet(tenantId: string, userId: string, set: RecoverySet, options?: { onlyIfAbsent?: boolean }): Promise<boolean>;
  /** Removes one code by its keyed hash: how many are left after it; false when it was not (or no longer) in the set. */
  spendRecoveryCode(tenantId: string, userId: string, codeHash: string): Promise<number | false>;
  deleteRecoverySet(tenantId: string, userId: string): Promise<void>;
  /**
   * Counts a failed login attempt. At most `maxAttempts` failures count within a window of
   * `lockoutSeconds` after the last one; after that the user is locked until the window ends.
   */
  countLoginFailure(tenantId: string, userId: string, limits: { maxAttempts: number; lockoutSeconds: number; nowMs: number }): Promise<FailureOutcome>;
  clearLoginFailures(tenantId: string, userId: string): Promise<void>;
  /** Deletes every factor, the recovery codes and the failure counter; keeps the profile. */
  deleteTwoFactorState(tenantId: string, userId: string): Promise<void>;
  /**
   * Turns the user's two-factor flag on or off, if it is not so already: of parallel requests
   * that turn it the same way exactly one gets true — the one that emits the event.
   */
  switchTwoFactor(tenantId: string, userId: string, on: boolean, nowMs: number): Promise<boolean>;
  /**
   * Saves the user's summary (and the index entries it implies) if the saved version is still
   * `expectedVersion`; false when another change saved one first. `inGraceIndex`: whether the
   * scheduled job should find the user by `summary.graceEndsAtMs`.
   */
  saveSummary(tenantId: string, userId: string, summary: UserSummary, options: { expectedVersion: number; inGraceIndex: boolean }): Promise<boolean>;
  /** A tenant's user ids in order, optionally only of one status or role, a page at a time. */
  listUsers(tenantId: string, query: { status?: UserStatus; role?: string; cursor?: string; limit: number }): Promise<{ userIds: string[]; nextCursor: string | null }>;
}

/** Counters per tenant for the overview, moved by differences (never by counting users). */
export interface TenantStats {
  add(tenantId: string, delta: Record<string, number>): Promise<void>;
  read(tenantId: string): Promise<Record<string, number>>;
  /** The latest enrollments, newest first. */
  recentEnrollments(tenantId: string, limit: number): Promise<{ userId: string; enrolledAtMs: number }[]>;
}

export type GraceNotice = 'reminder3' | 'reminder1' | 'expired';

export interface GraceDue {
  tenantId: string;
  userId: string;
  graceEndsAtMs: number;
  email?: string;
  reminded3For?: string;
  reminded1For?: string;
  expiredFor?: string;
}

/**
 * Users whose grace period ends soon or has ended, found through a sparse index on the deadline
 * (never a scan), and the notices sent to them: each claimed with one conditional write, so that
 * runs in parallel or again send a notice once.
 */
export interface GraceDeadlines {
  /** Users in the index with a deadline at or before `horizonMs`, a page at a time. */
  due(horizonMs: number, cursor: string | undefined, limit: number): Promise<{ items: GraceDue[]; nextCursor: string | null }>;
  /** Marks `notice` as sent for this deadline; false when it was already (or the deadline moved). `expired` also takes the user out of the index. */
  claim(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number): Promise<boolean>;
  /** Undoes a claim whose email could not be sent, so that the next run tries again. */
  release(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number): Promise<void>;
  /** Takes out of the index a user already expired for this deadline (an index entry a late summary put back). */
  forget(tenantId: string, userId: string, graceEndsAtMs: number): Promise<void>;
  /** After a policy change, every user of the tenant must be summarised again (deadlines move). */
  requestBackfill(tenantId: string, requestedAtMs: number): Promise<void>;
  backfills(): Promise<{ tenantId: string; requestedAtMs: number; cursor?: string }[]>;
  saveBackfillCursor(tenantId: string, requestedAtMs: number, cursor: string): Promise<void>;
  /** Done, unless a newer policy change asked for another backfill meanwhile. */
  finishBackfill(tenantId: string, requestedAtMs: number): Promise<void>;
}

export interface CodeUpdate {
  method: ChallengeRecord['method'];
  factorId?: string;
  codeHash?: string;
  sentAtMs: number;
  expiresAtMs: number;
  /** Counts as a resend (a message sent) */
  countsAsResend: boolean;
  resendLimit: number | null;
  cooldownSeconds: number;
}

/**
 * The durable record of security events: the audit trail, and the outbox from which they are
 * published. An event is recorded before it is published, so a publishing failure loses nothing.
 */
export interface EventOutbox {
  record(events: SecurityEvent[]): Promise<void>;
  /** Events not yet published, oldest first. */
  pending(limit: number): Promise<SecurityEvent[]>;
  markPublished(events: SecurityEvent[]): Promise<void>;
  /** A tenant's events, newest first, optionally of one user, paged by an opaque cursor. */
  list(tenantId: string, options: { userId?: string; cursor?: string; limit: number }): Promise<{ events: SecurityEvent[]; nextCursor: string | null }>;
}

/** Delivers events to subscribers (EventBridge in AWS). Throws when they were not all accepted. */
export interface EventPublisher {
  publish(events: SecurityEvent[]): Promise<void>;
}

export interface TrustedDevice {
  deviceId: string;
  label: string;
  /** Keyed hash of the token's secret; the token itself is never stored. */
  secretHash: string;
  createdAtMs: number;
  lastUsedAtMs?: number;
  expiresAtMs: number;
}

/** Trusted devices and the IP addresses of a user's verified sign-ins (both keyed hashes). */
export interface DeviceStore {
  add(tenantId: string, userId: string, device: TrustedDevice): Promise<void>;
  get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined>;
  /** Swaps the token's secret; false when `oldHash` is no longer current or the device expired or is gone. */
  rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean>;
  list(tenantId: string, userId: string): Promise<TrustedDevice[]>;
  remove(tenantId: string, userId: string, deviceId: string): Promise<boolean>;
  /** Every device and remembered IP of the user; how many devices were removed. */
  removeAll(tenantId: string, userId: string): Promise<number>;
  isKnownIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<boolean>;
  rememberIp(tenantId: string, userId: string, ipKey: string, keepUntilMs: number): Promise<void>;
}

export interface ChallengeStore {
  create(challenge: ChallengeRecord): Promise<void>;
  get(tenantId: string, challengeId: string): Promise<ChallengeRecord | undefined>;
  /** pending and unexpired (and, for a sent code, still that code) → verified; otherwise says why not. */
  markVerified(
    tenantId: string,
    challengeId: string,
    update: { verifiedAtMs: number; method: ChallengeRecord['method']; expectedCodeHash?: string },
  ): Promise<'verified' | 'already_verified' | 'expired' | 'not_found' | 'code_replaced'>;
  /**
   * Puts a new sent code (or a switch of method) on a pending challenge: the old code stops
   * working. Refused past the resend limit or within the cooldown after the last send.
   */
  replaceCode(tenantId: string, challengeId: string, update: CodeUpdate): Promise<'replaced' | 'limit' | 'cooldown' | 'not_pending'>;
  /** Puts back what replaceCode replaced, if nothing else changed it since (a failed delivery). */
  restoreCode(tenantId: string, challengeId: string, previous: ChallengeRecord, replacedHash: string | undefined): Promise<void>;
  /** Removes a pending challenge whose first code could not be delivered. */
  deletePending(tenantId: string, challengeId: string): Promise<void>;
}

export type { Scope };
