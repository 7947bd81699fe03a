/**
 * The zod schemas of every request and response: the single source for the TypeScript types
 * (z.infer), the handlers' validation, the OpenAPI document and any client.
 * Field names and shapes follow shared/API.md, the contract client apps rely on.
 *
 * Written with zod/mini, zod 4's functional API: the same validation, messages and JSON Schema
 * as the chained API, in a fraction of the bundle every function carries (`.check(z.meta(…))`
 * registers what `.meta(…)` would).
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini has no default locale: without this every issue would read "Invalid input"
z.config(en());

const isoTime = z.string().check(z.meta({ description: 'ISO-8601 UTC time', example: '2026-11-22T10:00:00.000Z' }));

export const UserId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._@:+-]{1,128}$/, 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : + -'), z.meta({ description: "The client app's id for the user" }));

/** Ids the service makes: a prefix, an underscore and base64url characters. */
const opaqueId = (what: string) =>
  z.string().check(z.regex(/^[a-z]{1,3}_[A-Za-z0-9_-]{8,64}$/, `${what} is not a valid id`), z.meta({ description: `Opaque ${what} made by the service` }));

export const FactorId = opaqueId('factorId');
export const ChallengeId = opaqueId('challengeId');
export const TenantId = opaqueId('tenantId');

export const FactorType = z.enum(['totp', 'sms', 'email']);
export type FactorType = z.infer<typeof FactorType>;
export const Method = z.enum(['totp', 'sms', 'email', 'recovery_code']);
export type Method = z.infer<typeof Method>;
export const Scope = z.enum(['app', 'admin']);
export type Scope = z.infer<typeof Scope>;

/** A whole number (JSON Schema `integer`). */
const int = () => z.number().check(z.int());
/** A string of `min` to `max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const label = () => z.optional(text(1, 64));
/** Role names, as the client app gives them. */
const roles = () => z.array(text(1, 64)).check(z.maxLength(50));

/** Six to eight digits; spaces a user may type between groups are ignored. */
export const OtpCode = z
  .pipe(
    z.pipe(
      z.string(),
      z.transform((s: string) => s.replace(/\s+/g, '')),
    ),
    z.string().check(z.regex(/^\d{6,8}$/, 'code must be 6 to 8 digits')),
  )
  .check(z.meta({ description: 'The code from the authenticator app (or SMS/email)' }));

export const RecoveryCodeInput = text(1, 64).check(z.meta({ description: 'One recovery code, as issued (case, dashes and spaces do not matter)' }));

// ---------------------------------------------------------------- policy

export const TotpSettings = z.strictObject({
  issuer: z._default(text(1, 64), 'Twofold').check(z.meta({ description: 'Issuer shown in authenticator apps' })),
  digits: z._default(z.literal([6, 8]), 6),
  period: z._default(z.literal([30, 60]), 30).check(z.meta({ description: 'Time step in seconds' })),
  algorithm: z._default(z.enum(['sha1', 'sha256', 'sha512']), 'sha1'),
  window: z._default(int().check(z.minimum(0), z.maximum(2)), 1).check(z.meta({ description: 'Accepted steps before and after now' })),
});
export type TotpSettings = z.infer<typeof TotpSettings>;

export const Policy = z
  .strictObject({
    enabled: z._default(z.boolean(), true).check(z.meta({ description: 'Master switch for the tenant' })),
    enforcement: z.prefault(
      z.strictObject({
        mode: z._default(z.enum(['optional', 'roles', 'all']), 'optional'),
        roles: z._default(roles(), []),
        exemptSso: z._default(z.boolean(), true),
        gracePeriodDays: z._default(int().check(z.minimum(0), z.maximum(365)), 7),
        graceEndsAt: z
          ._default(z.nullable(z.iso.datetime({ message: 'graceEndsAt must be an ISO-8601 UTC time like 2026-12-01T00:00:00Z' })), null)
          .check(z.meta({ description: 'A fixed deadline instead of gracePeriodDays' })),
      }),
      {},
    ),
    prompt: z._default(z.enum(['every_login', 'unrecognized_devices']), 'every_login'),
    methods: z.prefault(
      z.strictObject({
        allowed: z._default(z.array(FactorType).check(z.minLength(1)), ['totp', 'email']),
        default: z._default(FactorType, 'totp'),
        allowFallback: z._default(z.boolean(), true),
      }),
      {},
    ),
    authenticatorEnrollment: z._default(z.enum(['optional', 'required']), 'optional'),
    codeTimeoutSeconds: z._default(z.literal([120, 300, 600, 900, 1800, 3600, 14400, 43200]), 600),
    maxInvalidAttempts: z._default(z.nullable(z.literal([3, 5, 10])), 5),
    lockoutSeconds: z._default(int().check(z.minimum(60), z.maximum(86400)), 600),
    resendLimit: z._default(z.nullable(z.literal([3, 5])), 3),
    recoveryCodes: z.prefault(z.strictObject({ count: z._default(int().check(z.minimum(5), z.maximum(16)), 8) }), {}),
    totp: z.prefault(TotpSettings, {}),
    trustedDevices: z.prefault(
      z.strictObject({ enabled: z._default(z.boolean(), true), days: z._default(int().check(z.minimum(1), z.maximum(365)), 30) }),
      {},
    ),
    freshVerificationSeconds: z._default(int().check(z.minimum(30), z.maximum(3600)), 300),
    emailCodeOnUnrecognizedDevice: z._default(z.boolean(), false),
    sms: z.prefault(z.strictObject({ allowedCountries: z._default(z.array(z.string().check(z.regex(/^[A-Z]{2}$/))), []) }), {}),
  })
  .check(z.meta({ id: 'Policy', description: "A tenant's two-factor policy" }));
export type Policy = z.infer<typeof Policy>;

// ---------------------------------------------------------------- users and factors

export const UserStatus = z.enum(['not_started', 'pending', 'enrolled']);
/**
 * `exempt`: an SSO user the policy exempts; `optional`: the policy does not require 2FA of this
 * user; `grace`: required, but the user may sign in without until `graceEndsAt`; `required`.
 */
export const EnforcementState = z.enum(['exempt', 'optional', 'grace', 'required']);
export type EnforcementState = z.infer<typeof EnforcementState>;
export type UserStatus = z.infer<typeof UserStatus>;

export const PutUserBody = z.strictObject({
  email: z.optional(z.email().check(z.maxLength(254))),
  phone: z.optional(text(3, 32)),
  roles: z.optional(roles()),
  sso: z.optional(z.boolean()),
});
export type PutUserBody = z.infer<typeof PutUserBody>;

export const Factor = z
  .object({
    factorId: FactorId,
    type: FactorType,
    label: z.string(),
    status: z.enum(['pending', 'active']),
    createdAt: isoTime,
    lastUsedAt: z.nullable(isoTime),
    destination: z.optional(z.string()).check(z.meta({ description: 'sms/email: the masked destination' })),
    recovery: z.optional(z.boolean()).check(z.meta({ description: 'sms: an emergency recovery phone' })),
  })
  .check(z.meta({ id: 'Factor' }));
export type Factor = z.infer<typeof Factor>;

export const User = z
  .object({
    userId: UserId,
    status: UserStatus,
    factors: z.array(Factor),
    recoveryCodesRemaining: int(),
    lockedUntil: z.nullable(isoTime),
    email: z.optional(z.string()),
    phone: z.optional(z.string()).check(z.meta({ description: 'Masked' })),
    roles: z.array(z.string()),
    sso: z.boolean(),
    enforcement: z
      .object({
        required: z.boolean().check(z.meta({ description: 'Whether the policy requires this user to use two-factor' })),
        graceEndsAt: z.nullable(isoTime).check(z.meta({ description: 'Until when a user who must enroll may still sign in without' })),
        state: EnforcementState,
      })
      .check(z.meta({ description: "How the tenant's policy applies to this user" })),
  })
  .check(z.meta({ id: 'User' }));
export type User = z.infer<typeof User>;

export const PhoneNumberInput = text(3, 32).check(z.meta({ description: 'A mobile number in international (E.164) format, e.g. +447700900123' }));

export const CreateFactorBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('totp'), label: label() }),
  z.strictObject({
    type: z.literal('sms'),
    phone: PhoneNumberInput,
    label: label(),
    recovery: z.optional(z.boolean()).check(z.meta({ description: 'An emergency recovery phone: must differ from the phone of any other SMS factor' })),
  }),
  z.strictObject({ type: z.literal('email'), email: z.email().check(z.maxLength(254)), label: label() }),
]);
export type CreateFactorBody = z.infer<typeof CreateFactorBody>;

export const TotpEnrollment = z
  .object({
    factorId: FactorId,
    type: z.literal('totp'),
    status: z.literal('pending'),
    label: z.string(),
    secret: z.string().check(z.meta({ description: 'Base32 secret without padding; shown only once' })),
    otpauthUri: z.string().check(z.meta({ description: 'Key Uri Format URI for authenticator apps' })),
    qrCode: z.string().check(z.meta({ description: 'data:image/png;base64 URL of the otpauth URI as a QR code' })),
  })
  .check(z.meta({ id: 'TotpEnrollment' }));
export type TotpEnrollment = z.infer<typeof TotpEnrollment>;

export const OtpEnrollment = z
  .object({
    factorId: FactorId,
    type: z.enum(['sms', 'email']),
    status: z.literal('pending'),
    label: z.string(),
    destination: z.string().check(z.meta({ description: 'Masked phone number or email address' })),
    expiresAt: isoTime.check(z.meta({ description: 'When the code sent to confirm the factor stops working' })),
  })
  .check(z.meta({ id: 'OtpEnrollment' }));
export type OtpEnrollment = z.infer<typeof OtpEnrollment>;

export const FactorEnrollment = z.union([TotpEnrollment, OtpEnrollment]);
export type FactorEnrollment = z.infer<typeof FactorEnrollment>;

export const CodeBody = z.strictObject({ code: OtpCode });

export const FactorVerified = z.object({
  factorId: FactorId,
  status: z.literal('active'),
  recoveryCodes: z.optional(z.array(z.string())).check(z.meta({ description: "Only when this is the user's first active factor" })),
});
export type FactorVerified = z.infer<typeof FactorVerified>;

export const FactorList = z.object({ factors: z.array(Factor) });
export const RecoveryCodesRemaining = z.object({
  remaining: int(),
  codes: z.optional(z.array(z.string())).check(z.meta({ description: 'The unused codes, only with a fresh Twofold-Assertion' })),
});
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

// ---------------------------------------------------------------- challenges

export const ChallengeContext = z.strictObject({
  ip: z.optional(z.string().check(z.maxLength(64))),
  userAgent: z.optional(z.string().check(z.maxLength(512))),
  deviceToken: z.optional(z.string().check(z.maxLength(256))),
});

export const CreateChallengeBody = z.strictObject({ method: z.optional(Method), context: z.optional(ChallengeContext) });
export type CreateChallengeBody = z.infer<typeof CreateChallengeBody>;

export const ChallengeCreated = z
  .object({
    challengeId: z.nullable(ChallengeId),
    required: z.boolean(),
    reason: z.enum(['not_enrolled', 'two_factor_enabled', 'enrollment_required', 'two_factor_disabled', 'recognized_device', 'unrecognized_device']),
    methods: z.array(Method),
    method: z.nullable(Method),
    expiresAt: z.nullable(isoTime),
    destination: z.optional(z.string()).check(z.meta({ description: 'sms/email: where the code went, masked' })),
    deviceToken: z
      .optional(z.string())
      .check(z.meta({ description: "A recognized device's new token (each use rotates it): store it in place of the old one" })),
    enrollmentRequired: z
      .optional(z.boolean())
      .check(z.meta({ description: 'The user must enroll (the methods in enrollmentMethods) before using the app: send them to enrollment' })),
    enrollmentMethods: z.optional(z.array(FactorType)).check(z.meta({ description: 'With enrollmentRequired: which factor types satisfy it' })),
    graceEndsAt: z
      .optional(z.nullable(isoTime))
      .check(z.meta({ description: 'For a user who must enroll: until when they may still sign in without (null once it has passed)' })),
  })
  .check(z.meta({ id: 'ChallengeCreated' }));
export type ChallengeCreated = z.infer<typeof ChallengeCreated>;

export const ChallengeStatus = z.enum(['pending', 'verified', 'expired', 'locked']);

export const Challenge = z
  .object({
    challengeId: ChallengeId,
    userId: UserId,
    status: ChallengeStatus,
    method: Method,
    expiresAt: isoTime,
    verifiedAt: z.nullable(isoTime),
    attemptsRemaining: z.nullable(int()).check(z.meta({ description: 'null when the policy sets no limit' })),
  })
  .check(z.meta({ id: 'Challenge' }));
export type Challenge = z.infer<typeof Challenge>;

export const VerifyChallengeBody = z
  .strictObject({
    code: z.optional(OtpCode),
    recoveryCode: z.optional(RecoveryCodeInput),
    rememberDevice: z
      .optional(z.boolean())
      .check(z.meta({ description: 'Trust this device: the answer carries a deviceToken for the next challenges' })),
  })
  .check(
    z.refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
      message: 'send exactly one of code or recoveryCode',
    }),
  );
export type VerifyChallengeBody = z.infer<typeof VerifyChallengeBody>;

export const ChallengeVerified = z
  .object({
    verified: z.literal(true),
    challengeId: ChallengeId,
    userId: UserId,
    method: Method,
    verifiedAt: isoTime,
    recoveryCodesRemaining: int(),
    assertion: z.string().check(z.meta({ description: 'A JWT (ES256) proving this verification; keys at /.well-known/jwks.json' })),
    deviceToken: z.optional(z.string()).check(z.meta({ description: 'With rememberDevice: send it as context.deviceToken in later challenges' })),
  })
  .check(z.meta({ id: 'ChallengeVerified' }));
export type ChallengeVerified = z.infer<typeof ChallengeVerified>;

export const ResendBody = z.strictObject({
  method: z.optional(Method).check(z.meta({ description: "Switch to another of the user's methods (when the policy allows fallback)" })),
});
export type ResendBody = z.infer<typeof ResendBody>;

export const ChallengeResent = z
  .object({
    challengeId: ChallengeId,
    method: Method,
    expiresAt: isoTime,
    resendsRemaining: z.nullable(int()).check(z.meta({ description: 'null when the policy sets no limit' })),
    destination: z.optional(z.string()),
  })
  .check(z.meta({ id: 'ChallengeResent' }));
export type ChallengeResent = z.infer<typeof ChallengeResent>;

// ---------------------------------------------------------------- admin

/** A page size in a query string (so coerced from text): 1 to 100, 50 by default. */
const pageLimit = () => z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50);

export const AdminUserQuery = z.strictObject({
  status: z.optional(UserStatus),
  role: z.optional(text(1, 64)),
  cursor: z.optional(z.string().check(z.maxLength(2048))).check(z.meta({ description: 'nextCursor of the previous page' })),
  limit: pageLimit(),
});
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserList = z.object({ users: z.array(User), nextCursor: z.nullable(z.string()) }).check(z.meta({ id: 'AdminUserList' }));
export type AdminUserList = z.infer<typeof AdminUserList>;

export const Overview = z
  .object({
    totalUsers: int(),
    enrolled: int(),
    pending: int(),
    notStarted: int(),
    enrollmentRate: z.number().check(z.meta({ description: 'enrolled / totalUsers, 0 to 1 (0 without users)' })),
    recoveryCodes: z.object({
      low: int().check(z.meta({ description: 'Enrolled users with 1 or 2 recovery codes left' })),
      none: int().check(z.meta({ description: 'Enrolled users with no recovery code left' })),
    }),
    recentEnrollments: z
      .array(z.object({ userId: UserId, enrolledAt: isoTime }))
      .check(z.meta({ description: 'The latest enrollments, newest first (up to 10)' })),
    rolesWithoutTwoFactor: z
      .array(z.object({ role: z.string(), users: int() }))
      .check(z.meta({ description: 'Per role, users without an active factor' })),
  })
  .check(z.meta({ id: 'Overview' }));
export type Overview = z.infer<typeof Overview>;

export const AuditQuery = z.strictObject({
  userId: z.optional(UserId),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: pageLimit(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEvent = z
  .object({
    type: z.string().check(z.meta({ description: 'A security event type or an admin action (user.unlocked, user.reset, policy.updated)' })),
    userId: z.nullable(z.string()),
    at: isoTime,
    actor: z.string().check(z.meta({ description: '`user` (through an app key), `admin`, or `system`' })),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .check(z.meta({ id: 'AuditEvent' }));
export const AuditList = z.object({ events: z.array(AuditEvent), nextCursor: z.nullable(z.string()) }).check(z.meta({ id: 'AuditList' }));
export type AuditList = z.infer<typeof AuditList>;

// ---------------------------------------------------------------- misc

export const Health = z.object({ status: z.literal('ok') });
export const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .check(z.meta({ id: 'JWKS', description: 'RFC 7517 JSON Web Key Set' }));
export const Empty = z.strictObject({});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().check(z.meta({ description: 'Stable snake_case error code' })),
      message: z.string(),
      details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
      attemptsRemaining: z.optional(z.nullable(int())),
      retryAfterSeconds: z.optional(int()),
    }),
  })
  .check(z.meta({ id: 'Error' }));
export type ErrorBody = z.infer<typeof ErrorBody>;

export const UserPath = z.object({ userId: UserId });
export const FactorPath = z.object({ userId: UserId, factorId: FactorId });
export const ChallengePath = z.object({ challengeId: ChallengeId });
export const DeviceId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, 'deviceId is not a valid id'));
export const DevicePath = z.object({ userId: UserId, deviceId: DeviceId });
export const DeviceList = z
  .object({
    devices: z.array(z.object({ deviceId: DeviceId, label: z.string(), createdAt: isoTime, lastUsedAt: z.nullable(isoTime), expiresAt: isoTime })),
  })
  .check(z.meta({ id: 'DeviceList' }));
