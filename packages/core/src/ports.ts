/**
 * The capabilities the core needs from the world, named for what they do. Adapters for AWS
 * (DynamoDB, KMS) and for the local runtime implement them; the core never sees which.
 */
import type { SecurityEvent } from '@twofold/contract/events';
import type { JWK } from 'jose';
import type { Policy, Scope, TenantQuota } from '@twofold/contract/schemas';
import type { UserStatus } from '@twofold/contract/schemas';
import type { ApiKeyRecord, ChallengeRecord, FactorRecord, LoginFailures, PromptRecord, PromptStatus, RecoverySet, TenantRecord, UserAggregate, UserProfile, UserSummary } from './records';

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

/**
 * Sends an email with a plain-text and an HTML body, from the deployment's address (under the
 * tenant's display name, when it gives one). Throws when the message was not accepted.
 */
export interface EmailSender {
  send(message: { to: string; subject: string; text: string; html: string; fromName?: string }): Promise<void>;
}

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

export interface SigningKeyRecord {
  kid: string;
  publicJwk: JWK;
  /** The private JWK, sealed with AES-256-GCM under `wrappedDataKey`'s plaintext. */
  sealedPrivateJwk: string;
  wrappedDataKey: string;
  createdAtMs: number;
}

export interface SigningKeyStore {
  getSigningKey(): Promise<SigningKeyRecord | undefined>;
  /** A conditional create: false when another writer created one first (nothing is overwritten). */
  createSigningKey(record: SigningKeyRecord): Promise<boolean>;
}

/**
 * How many containers serve a tenant, counted per one-second window (tenant-quota.ts): a
 * container checks in at most once per window for each tenant it served in it.
 */
export interface ContainerCensus {
  /** Counts `containerId` in window `second` (epoch seconds); answers the tenant's counts of windows second - 1 and second. */
  checkIn(tenantId: string, containerId: string, second: number): Promise<{ previous: number; current: number }>;
}

/** The directory also keeps the deployment's assertion signing key. */
export interface TenantDirectory extends SigningKeyStore {
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  /** Every tenant's id (a sparse index: for jobs that go over all tenants). */
  listTenantIds(): Promise<string[]>;
  /** Fails (returns false) when the tenant exists already. */
  createTenant(tenant: TenantRecord): Promise<boolean>;
  putPolicy(tenantId: string, policy: Policy, enforcementSince?: TenantRecord['enforcementSince']): Promise<void>;
  /** The operator's request quota of the tenant (tenant:quota); false when there is no such tenant. */
  putQuota(tenantId: string, quota: TenantQuota): Promise<boolean>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
}

/** Reading a user's partition: profile, factors, recovery codes and failure counter, together in one query. */
export interface UserReader {
  load(tenantId: string, userId: string): Promise<UserAggregate>;
}

/**
 * A user's partition, read (UserReader) and changed: every change that matters to the user's
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

/** Counters per tenant for the overview, moved by differences (never by counting users). */
export interface TenantStats {
  /** Moves counters outside any user change (the recount's repairs). */
  add(tenantId: string, delta: Record<string, number>): Promise<void>;
  read(tenantId: string): Promise<Record<string, number>>;
  /** The latest enrollments, newest first. */
  recentEnrollments(tenantId: string, limit: number): Promise<{ userId: string; enrolledAtMs: number }[]>;
}

/**
 * What the grace-period job claims for a deadline, each once: the two reminders, `expired` (the
 * user is marked and `enforcement.grace_expired` emitted, whatever becomes of the email) and
 * `expiredNotice` (the email telling them; released and retried when it fails).
 */
export type GraceNotice = 'reminder3' | 'reminder1' | 'expired' | 'expiredNotice';

export interface GraceDue {
  tenantId: string;
  userId: string;
  graceEndsAtMs: number;
  email?: string;
  reminded3For?: string;
  reminded1For?: string;
  expiredFor?: string;
  expiredNoticeFor?: string;
}

/**
 * Users whose grace period ends soon or has ended, found through a sparse index on the deadline
 * (never a scan), and the notices sent to them: each claimed with one conditional write, so that
 * runs in parallel or again send a notice once.
 */
export interface GraceDeadlines {
  /** Users in the index with a deadline at or before `horizonMs`, a page at a time. */
  due(horizonMs: number, cursor: string | undefined, limit: number): Promise<{ items: GraceDue[]; nextCursor: string | null }>;
  /** Marks `notice` as sent for this deadline; false when it was already (or the deadline moved). `expiredNotice` also takes the user out of the index. */
  claim(tenantId: string, userId: string, notice: GraceNotice, graceEndsAtMs: number, event?: SecurityEvent): Promise<boolean>;
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
/** Which of a tenant's events the audit trail shows. */
export interface AuditFilter {
  userId?: string;
  type?: SecurityEvent['type'];
  from?: string;
  to?: string;
}

export interface EventOutbox {
  record(events: SecurityEvent[]): Promise<void>;
  /** Records an event unless it is there already (by its id and time): whoever sees a derived event records it once. True when this call recorded it. */
  recordOnce(event: SecurityEvent): Promise<boolean>;
  /** Erasure: every event of the user goes but those of `keep` types. */
  eraseUser(tenantId: string, userId: string, keep: string[]): Promise<void>;
  /** Events not yet published, oldest first. */
  pending(limit: number): Promise<SecurityEvent[]>;
  markPublished(events: SecurityEvent[]): Promise<void>;
  /**
   * Counts one refusal of a pending event by the bus; at `maxAttempts` the event is parked: out
   * of the pending list, kept (with the reason) in the events table and the audit trail.
   */
  publishRefused(event: SecurityEvent, reason: string, maxAttempts: number): Promise<{ attempts: number; parked: boolean }>;
  /**
   * A tenant's events, newest first, optionally of one user, of one type, and at or after `from` /
   * before `to` (ISO-8601 UTC times), paged by an opaque cursor. With `type` a page may hold fewer
   * than `limit` events and still have a cursor.
   */
  list(tenantId: string, options: AuditFilter & { cursor?: string; limit: number }): Promise<{ events: SecurityEvent[]; nextCursor: string | null }>;
}

/**
 * Delivers events to subscribers (EventBridge in AWS). Throws when they were not all accepted:
 * `EventsRefused` (events.ts) naming the refused ones when the bus took the others.
 */
export interface EventPublisher {
  publish(events: SecurityEvent[]): Promise<void>;
}

export interface TrustedDevice {
  deviceId: string;
  label: string;
  /** Keyed hash of the token's secret; the token itself is never stored. */
  secretHash: string;
  /** Keyed hash of the secret the last rotation replaced: that token coming back means one copy was stolen. */
  previousSecretHash?: string;
  createdAtMs: number;
  lastUsedAtMs?: number;
  expiresAtMs: number;
}

/**
 * Trusted devices and the IP addresses of a user's verified sign-ins (both keyed hashes). Adding
 * and removing them is part of a UserChange (with their events); a token's rotation on use is a
 * conditional write of its own.
 */
export interface DeviceStore {
  get(tenantId: string, userId: string, deviceId: string): Promise<TrustedDevice | undefined>;
  /** Swaps the token's secret (keeping `oldHash` as the previous one); false when `oldHash` is no longer current or the device expired or is gone. */
  rotate(tenantId: string, userId: string, deviceId: string, change: { oldHash: string; newHash: string; nowMs: number }): Promise<boolean>;
  list(tenantId: string, userId: string): Promise<TrustedDevice[]>;
  /** The IPs remembered for the user (keyed hashes), each with the devices trusted from it. */
  ipKeys(tenantId: string, userId: string): Promise<RememberedIp[]>;
  /** The devices trusted from this IP while it is remembered (none: not remembered). */
  devicesOfIp(tenantId: string, userId: string, ipKey: string, nowMs: number): Promise<string[]>;
}

export interface RememberedIp {
  ipKey: string;
  deviceIds: string[];
}

/**
 * What a login writes when it succeeds, as one conditional write on the user's login item:
 * the challenge becomes verified, a TOTP step is used up (or a passkey's counter moved on) and
 * the failure count is reset — and only if the challenge is still pending, unexpired and (for a
 * sent code) still that code, the step is later than the last one used, the counter is still the
 * one the signature was checked against, and the user is not locked at that moment.
 */
export interface ChallengeCompletion {
  challengeId: string;
  verifiedAtMs: number;
  method: ChallengeRecord['method'];
  expectedCodeHash?: string;
  totpStep?: { factorId: string; step: number };
  /** The limit the challenge carries (null: no lockout). */
  maxInvalidAttempts: number | null;
  /** The failure window read (LoginFailures.gen; 0 when none). */
  failuresGen: number;
  /**
   * A passkey's signature counter, moved from `expected` (the counter the signature was checked
   * against, as read) to `next`: of two signatures accepted at once, one moves it, and it only
   * moves forward (or stays 0: WebAuthn §6.1.1).
   */
  webauthnCounter?: { factorId: string; expected: number; next: number };
}

export type CompletionOutcome = 'verified' | 'already_verified' | 'expired' | 'not_found' | 'code_replaced' | 'step_used' | 'counter_moved' | 'locked';

/** Changes to a user's login item, inside a user change. */
export interface LoginPatch {
  /** The whole login item goes: challenges, used steps, failures (two-factor off, erasure). */
  delete?: boolean;
  setSteps?: Record<string, number>;
  /** A passkey's signature counter as its registration left it (the login's write moves it on). */
  setSignCounts?: Record<string, number>;
  /** A removed factor's last step, counter and use go. */
  removeSteps?: string[];
  clearFailures?: boolean;
  complete?: ChallengeCompletion;
}

/**
 * Challenges live in the user's login item (challenge ids lead to the user's partition), beside
 * the failure count and the last used TOTP steps, so that a login is decided by one read of the
 * user and one conditional write of that small item.
 */
export interface ChallengeStore {
  /**
   * Adds a challenge, if the user's challenges are still at `revision` (as read: see
   * UserAggregate.challengeRevision), and moves the revision on; false when another challenge
   * was added first. `drop` names ended challenges to remove with it (the item stays small).
   */
  create(challenge: ChallengeRecord, drop: string[], revision: number): Promise<boolean>;
  /** The login's single conditional write (see ChallengeCompletion); says why not when it did not hold. */
  complete(tenantId: string, userId: string, completion: ChallengeCompletion): Promise<CompletionOutcome>;
  /**
   * Counts a failed attempt in one write that parallel failures do not collide on (each is
   * counted, in the order the store takes them), while the count stays under `max`. The write
   * that opens a window also marks the item in a sparse index, so that a lock reached in that
   * window always gets its `user.locked` (see pendingLocks). Not counted: the failures as they
   * are now (the user is locked).
   */
  countFailure(
    tenantId: string,
    userId: string,
    change: { read: LoginFailures | undefined; next: LoginFailures; nowMs: number; max: number },
  ): Promise<{ counted: true; failures: LoginFailures } | { counted: false; current: LoginFailures | undefined }>;
  /** Login items marked by the opening of a failure window, not yet settled: each with its failures. */
  pendingLocks(limit: number): Promise<{ tenantId: string; userId: string; failures: LoginFailures }[]>;
  /** The window's lock event is recorded (or the window ended without a lock): the mark goes, if it is still that window's. */
  settleLock(tenantId: string, userId: string, gen: number): Promise<void>;
  /**
   * Puts a new sent code (or a switch of method) on a pending challenge: the old code stops
   * working. Refused past the resend limit or within the cooldown after the last send.
   */
  replaceCode(tenantId: string, userId: string, challengeId: string, update: CodeUpdate): Promise<'replaced' | 'limit' | 'cooldown' | 'not_pending'>;
  /** Puts back what replaceCode replaced, if nothing else changed it since (a failed delivery). */
  restoreCode(tenantId: string, userId: string, previous: ChallengeRecord, replacedHash: string | undefined): Promise<void>;
  /** Removes a pending challenge whose first code could not be delivered. */
  deletePending(tenantId: string, userId: string, challengeId: string): Promise<void>;
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

export type { Scope };

/**
 * Hosted prompts, by tenant and id. Every change is conditional on the status read, so that two
 * tabs or a replayed form cannot move a prompt twice; the exchange is one conditional write.
 */
export interface PromptStore {
  create(prompt: PromptRecord): Promise<void>;
  get(tenantId: string, promptId: string): Promise<PromptRecord | undefined>;
  /** Binds the prompt to the first browser that opens it; false when another one did first. */
  bind(tenantId: string, promptId: string, browserHash: string): Promise<boolean>;
  /** Sets fields (undefined removes one) while the prompt is in `expected` status; false otherwise. */
  update(tenantId: string, promptId: string, expected: PromptStatus, change: Partial<Omit<PromptRecord, 'promptId' | 'tenantId'>>): Promise<boolean>;
  /**
   * Spends the code: only while it is issued, its hash matches and it has not expired, in one
   * conditional write (of parallel exchanges exactly one succeeds); the prompt as it was, or undefined.
   */
  exchange(tenantId: string, promptId: string, input: { codeHash: string; nowMs: number }): Promise<PromptRecord | undefined>;
}
