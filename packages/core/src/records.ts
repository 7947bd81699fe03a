/**
 * What the core keeps about tenants, users, factors and challenges. These are storage-neutral
 * records; the contract's schemas are what clients see.
 */
import type { FactorType, Method, Policy, PromptLocale, PromptPurpose, Scope, TenantQuota, TotpSettings, UserStatus } from '@twofold/contract/schemas';

export interface TenantRecord {
  tenantId: string;
  name: string;
  createdAtMs: number;
  /** The tenant's data key, wrapped by the KeyVault under the context {tenantId}. */
  wrappedDataKey: string;
  policy: Policy;
  /**
   * When the policy started requiring two-factor (epoch ms): of everyone (`all`) and per role.
   * A user's grace period runs from the later of this and the moment they joined or got the role.
   */
  enforcementSince?: EnforcementSince;
  /** The operator's request quota for this tenant; absent: the deployment's default (tenant-quota.ts). */
  quota?: TenantQuota;
}

export interface EnforcementSince {
  all?: number;
  roles?: Record<string, number>;
}

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  scope: Scope;
  /** What the admin called it (the audit trail names an admin's key by it). */
  name: string;
  /** SHA-256 of the key's secret part, hex. The key itself is never stored. */
  secretHash: string;
  createdAtMs: number;
}

export interface UserProfile {
  tenantId: string;
  userId: string;
  email?: string;
  phone?: string;
  roles: string[];
  sso: boolean;
  /** The language of the codes sent to the user (BCP 47, canonical). */
  locale?: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** When the user got each of their roles (epoch ms): an enforced role starts a grace period then. */
  roleSince?: Record<string, number>;
  /** The grace deadline (ISO) each notice was sent for: a notice goes out once per deadline. */
  reminded3For?: string;
  reminded1For?: string;
  expiredFor?: string;
  /** The deadline (ISO) whose "two-factor is now required" email was sent. */
  expiredNoticeFor?: string;
  /**
   * Random, replaced by every change that alters what a verification proves (a factor removed,
   * two-factor off or reset, recovery codes replaced) and new with a new profile (after erasure):
   * assertions carry the epoch they were made in (fresh-verification.ts).
   */
  securityEpoch?: string;
  /** Assertions spent on sensitive operations (jti → when the assertion expires, epoch ms): each is good for one. */
  spentAssertions?: Record<string, number>;
}

/**
 * What the overview counts and the indexes find, kept on the profile and rewritten after every
 * change to the user, so that the tenant's counters move by the difference and no request has
 * to count users.
 */
export interface UserSummary {
  status: UserStatus;
  /** Enrolled users: ok (3 or more recovery codes), low (1-2), none. */
  recovery: 'ok' | 'low' | 'none' | null;
  /** The roles of a user without an active factor (rolesWithoutTwoFactor). */
  rolesWithout: string[];
  /** When the user's earliest active factor became active. */
  enrolledAtMs: number | null;
  /** A user the policy requires to enroll who has not: the grace deadline the scheduled job watches. */
  graceEndsAtMs: number | null;
  /**
   * Every active factor is SMS (recovery codes aside): a user on a restricted authenticator alone
   * (NIST SP 800-63B-4), whom the overview counts so that a tenant can plan the move off SMS.
   * Absent from summaries written before it was added (read as false until the user changes).
   */
  smsOnly: boolean;
}

export interface TotpParameters {
  /** The secret sealed by the SecretBox, bound to tenant + user + factor. */
  sealedSecret: string;
  algorithm: TotpSettings['algorithm'];
  digits: TotpSettings['digits'];
  period: TotpSettings['period'];
}

/**
 * A passkey or security key (WebAuthn). The credential id and the user handle are not secrets
 * (the browser sends both in the clear); the signature counter stays in the clear too, because
 * the conditional write that accepts a signature compares it (and every authenticator response
 * carries it in the clear). The rest — the public key, transports, backup eligibility and state,
 * the AAGUID — is sealed like a TOTP secret, bound to tenant + user + factor + credential, so a
 * key swapped into the record by someone who can write the table fails to open.
 */
export interface WebauthnCredentialRecord {
  /** base64url */
  credentialId: string;
  /** base64url: the opaque `user.id` the credential was made for (never the userId) */
  userHandle: string;
  /**
   * Kept in the user's login item (beside the TOTP steps), where a login's one conditional write
   * moves it; the factor item holds the rest.
   */
  signCount: number;
  /** SealedCredential (core/factors/webauthn/webauthn.ts), sealed by the SecretBox. */
  sealed: string;
}

/** What every factor has, whatever its type. */
export interface FactorBase {
  factorId: string;
  label: string;
  status: 'pending' | 'active';
  createdAtMs: number;
  activatedAtMs?: number;
  lastUsedAtMs?: number;
  /**
   * The last TOTP time step accepted: a code for it or an earlier step is never accepted again.
   * Kept in the user's login item (with lastUsedAtMs), where a login's one write moves it.
   */
  lastUsedStep?: number;
  /** Wrong codes while pending. */
  failedAttempts: number;
}

export interface TotpFactorRecord extends FactorBase {
  type: 'totp';
  totp: TotpParameters;
}

/** A pending code factor: keyed hash of the confirmation code sent, and when it stops working. */
interface PendingCode {
  codeHash?: string;
  codeExpiresAtMs?: number;
}

export interface SmsFactorRecord extends FactorBase, PendingCode {
  type: 'sms';
  /** The phone in E.164. Never logged, masked in every response. */
  destination: string;
  /** An emergency recovery phone, never chosen by default. */
  recovery?: boolean;
  /** The phone's country (ISO 3166-1 alpha-2) and type, as the full metadata classified it at enrolment. */
  phoneCountry?: string;
  phoneType?: SmsNumberType;
}

export interface EmailFactorRecord extends FactorBase, PendingCode {
  type: 'email';
  /** The address. Never logged, masked in every response. */
  destination: string;
}

export interface WebauthnFactorRecord extends FactorBase {
  type: 'webauthn';
  /** While pending: the registration challenge (base64url) the response must sign; expires at codeExpiresAtMs. */
  webauthnChallenge?: string;
  codeExpiresAtMs?: number;
  /** Once active: the credential. */
  webauthn?: WebauthnCredentialRecord;
}

export type FactorRecord = TotpFactorRecord | SmsFactorRecord | EmailFactorRecord | WebauthnFactorRecord;
/** The factor of one type. */
export type FactorOf<T extends FactorType> = FactorRecords[T];
interface FactorRecords {
  totp: TotpFactorRecord;
  sms: SmsFactorRecord;
  email: EmailFactorRecord;
  webauthn: WebauthnFactorRecord;
}
/** A factor a code is sent to. */
export type CodeFactorRecord = SmsFactorRecord | EmailFactorRecord;

/** The phone number types an SMS factor may have (phone-numbers.ts says why these two). */
export type SmsNumberType = 'MOBILE' | 'FIXED_LINE_OR_MOBILE';

export interface RecoverySet {
  /** Keyed hashes of the codes not yet used. */
  hashes: string[];
  /** The codes, sealed, so a fresh verification can show them again. */
  sealedCodes: string;
  createdAtMs: number;
}

export interface LoginFailures {
  failures: number;
  /** The limit in force when the last failure was counted. */
  maxAttempts: number;
  /** Failures are forgotten, and a lock ends, at this time. */
  windowEndsAtMs: number;
  /** Which window (windows are numbered: a new one counts afresh without resetting the last). */
  gen?: number;
  /** When the last failure was counted (once locked, no more are: the time of the lock). */
  lastAtMs?: number;
}

export interface UserAggregate {
  profile?: UserProfile;
  /**
   * The summary last saved, and the user's revision: every change to the user (but a login's
   * own write) is committed conditional on the revision it was decided on, and moves it on.
   */
  summary?: UserSummary;
  summaryVersion?: number;
  /** Two-factor as the last committed change left it (on once a first factor is active). */
  twoFactorOn?: boolean;
  factors: FactorRecord[];
  recovery?: RecoverySet;
  /** The login state (one small item apart from the sealed secrets): failures, challenges. */
  failures?: LoginFailures;
  challenges: ChallengeRecord[];
  /** Moved on by every challenge added: a new one is added only at the revision read (0: none yet). */
  challengeRevision?: number;
}

export interface ChallengeRecord {
  challengeId: string;
  tenantId: string;
  userId: string;
  method: Method;
  status: 'pending' | 'verified';
  createdAtMs: number;
  expiresAtMs: number;
  verifiedAtMs?: number;
  verifiedMethod?: Method;
  /** sms/email: the factor the code went to, the keyed hash of the code, when it was sent. */
  factorId?: string;
  codeHash?: string;
  codeSentAtMs?: number;
  /** For a user with a passkey: the challenge (base64url) an authentication response must sign. */
  webauthnChallenge?: string;
  /** A challenge for a user without 2FA on an unrecognized device: the code goes to the profile email. */
  purpose?: 'new_device';
  /** Keyed hash of the client IP the challenge came from: remembered once it is verified. */
  ipKey?: string;
  /** From the client's user agent: the label a remembered device gets. */
  deviceLabel?: string;
  /** From the challenge request, echoed in the assertion (`aud`, `nonce`). */
  audience?: string;
  nonce?: string;
  /** Codes sent after the first one (resends and switches to another channel). */
  resends: number;
  /** Limits copied from the policy when the challenge started: a policy change does not move them. */
  limits: ChallengeLimits;
}

export interface ChallengeLimits {
  maxInvalidAttempts: number | null;
  lockoutSeconds: number;
  totpWindow: number;
  codeTimeoutSeconds: number;
  resendLimit: number | null;
  allowFallback: boolean;
  /** null when the policy does not trust devices. */
  trustedDeviceDays: number | null;
}

/**
 * A hosted prompt (prompts.ts): what the app asked for, how far the user got, and — once they
 * passed — the sealed answer its one-time code is exchanged for.
 */
export interface PromptRecord {
  promptId: string;
  tenantId: string;
  userId: string;
  purpose: PromptPurpose;
  redirectUri: string;
  state: string;
  /** BASE64URL(SHA-256(codeVerifier)) (RFC 7636 S256). */
  codeChallenge: string;
  acr?: 'phr' | 'mfa';
  /** The language asked for (en, fr, de, es); the browser's when absent. */
  locale?: PromptLocale;
  createdAtMs: number;
  expiresAtMs: number;
  /** `open`: running; `verified`: passed, the code not made yet (recovery codes on screen); `code_issued`; `exchanged`; `refused` (cancelled or locked). */
  status: PromptStatus;
  /** SHA-256 of the secret in the cookie of the browser that opened the prompt first: only that browser may go on. */
  browserHash?: string;
  /** The forms' anti-CSRF token. */
  csrf: string;
  /** The login step under way. */
  login?: PromptLogin;
  /** The authenticator app being set up: its factor, and its key sealed (shown again until confirmed). */
  setup?: { factorId: string; sealedKey: string };
  /** The answer the code is exchanged for (a PromptToken, sealed under the tenant's key). */
  sealedResult?: string;
  /** A manage prompt: when its code step was passed (its changes need it no older than the policy's freshVerificationSeconds). */
  verifiedAtMs?: number;
  /** SHA-256 of the code's secret part, and until when it works. */
  codeHash?: string;
  codeExpiresAtMs?: number;
}

export type PromptStatus = 'open' | 'verified' | 'code_issued' | 'exchanged' | 'refused';

export interface PromptLogin {
  challengeId: string;
  method: Method;
  methods: Method[];
  destination?: string;
  /** The policy wants an enrollment after the code (verify first). */
  enrollmentRequired?: boolean;
}
