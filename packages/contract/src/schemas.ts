/**
 * The zod schemas of every request and response: the single source for the TypeScript types
 * (z.infer), the handlers' validation, the OpenAPI document and any client.
 * Field names and shapes follow shared/API.md, the contract client apps rely on.
 */
import * as z from 'zod';

const isoTime = z.string().meta({ description: 'ISO-8601 UTC time', example: '2026-11-22T10:00:00.000Z' });

export const UserId = z
  .string()
  .regex(/^[A-Za-z0-9._@:+-]{1,128}$/, 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : + -')
  .meta({ description: "The client app's id for the user" });

/** Ids the service makes: a prefix, an underscore and base64url characters. */
const opaqueId = (what: string) =>
  z
    .string()
    .regex(/^[a-z]{1,3}_[A-Za-z0-9_-]{8,64}$/, `${what} is not a valid id`)
    .meta({ description: `Opaque ${what} made by the service` });

export const FactorId = opaqueId('factorId');
export const ChallengeId = opaqueId('challengeId');
export const TenantId = opaqueId('tenantId');

export const FactorType = z.enum(['totp', 'sms', 'email']);
export type FactorType = z.infer<typeof FactorType>;
export const Method = z.enum(['totp', 'sms', 'email', 'recovery_code']);
export type Method = z.infer<typeof Method>;
export const Scope = z.enum(['app', 'admin']);
export type Scope = z.infer<typeof Scope>;

/** Six to eight digits; spaces a user may type between groups are ignored. */
export const OtpCode = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6,8}$/, 'code must be 6 to 8 digits'))
  .meta({ description: 'The code from the authenticator app (or SMS/email)' });

export const RecoveryCodeInput = z
  .string()
  .min(1)
  .max(64)
  .meta({ description: 'One recovery code, as issued (case, dashes and spaces do not matter)' });

// ---------------------------------------------------------------- policy

export const TotpSettings = z.strictObject({
  issuer: z.string().min(1).max(64).default('Twofold').meta({ description: 'Issuer shown in authenticator apps' }),
  digits: z.literal([6, 8]).default(6),
  period: z.literal([30, 60]).default(30).meta({ description: 'Time step in seconds' }),
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha1'),
  window: z.number().int().min(0).max(2).default(1).meta({ description: 'Accepted steps before and after now' }),
});
export type TotpSettings = z.infer<typeof TotpSettings>;

export const Policy = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'Master switch for the tenant' }),
    enforcement: z
      .strictObject({
        mode: z.enum(['optional', 'roles', 'all']).default('optional'),
        roles: z.array(z.string().min(1).max(64)).max(50).default([]),
        exemptSso: z.boolean().default(true),
        gracePeriodDays: z.number().int().min(0).max(365).default(7),
        graceEndsAt: z.iso.datetime({ message: 'graceEndsAt must be an ISO-8601 UTC time like 2026-12-01T00:00:00Z' }).nullable().default(null).meta({ description: 'A fixed deadline instead of gracePeriodDays' }),
      })
      .prefault({}),
    prompt: z.enum(['every_login', 'unrecognized_devices']).default('every_login'),
    methods: z
      .strictObject({
        allowed: z.array(FactorType).min(1).default(['totp', 'email']),
        default: FactorType.default('totp'),
        allowFallback: z.boolean().default(true),
      })
      .prefault({}),
    authenticatorEnrollment: z.enum(['optional', 'required']).default('optional'),
    codeTimeoutSeconds: z.literal([120, 300, 600, 900, 1800, 3600, 14400, 43200]).default(600),
    maxInvalidAttempts: z.literal([3, 5, 10]).nullable().default(5),
    lockoutSeconds: z.number().int().min(60).max(86400).default(600),
    resendLimit: z.literal([3, 5]).nullable().default(3),
    recoveryCodes: z.strictObject({ count: z.number().int().min(5).max(16).default(8) }).prefault({}),
    totp: TotpSettings.prefault({}),
    trustedDevices: z
      .strictObject({ enabled: z.boolean().default(true), days: z.number().int().min(1).max(365).default(30) })
      .prefault({}),
    freshVerificationSeconds: z.number().int().min(30).max(3600).default(300),
    emailCodeOnUnrecognizedDevice: z.boolean().default(false),
    sms: z.strictObject({ allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).default([]) }).prefault({}),
  })
  .meta({ id: 'Policy', description: "A tenant's two-factor policy" });
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

export const PutUserBody = z
  .object({
    email: z.email().max(254).optional(),
    phone: z.string().min(3).max(32).optional(),
    roles: z.array(z.string().min(1).max(64)).max(50).optional(),
    sso: z.boolean().optional(),
  })
  .strict();
export type PutUserBody = z.infer<typeof PutUserBody>;

export const Factor = z
  .object({
    factorId: FactorId,
    type: FactorType,
    label: z.string(),
    status: z.enum(['pending', 'active']),
    createdAt: isoTime,
    lastUsedAt: isoTime.nullable(),
    destination: z.string().optional().meta({ description: 'sms/email: the masked destination' }),
    recovery: z.boolean().optional().meta({ description: 'sms: an emergency recovery phone' }),
  })
  .meta({ id: 'Factor' });
export type Factor = z.infer<typeof Factor>;

export const User = z
  .object({
    userId: UserId,
    status: UserStatus,
    factors: z.array(Factor),
    recoveryCodesRemaining: z.number().int(),
    lockedUntil: isoTime.nullable(),
    email: z.string().optional(),
    phone: z.string().optional().meta({ description: 'Masked' }),
    roles: z.array(z.string()),
    sso: z.boolean(),
    enforcement: z
      .object({
        required: z.boolean().meta({ description: 'Whether the policy requires this user to use two-factor' }),
        graceEndsAt: isoTime.nullable().meta({ description: 'Until when a user who must enroll may still sign in without' }),
        state: EnforcementState,
      })
      .meta({ description: "How the tenant's policy applies to this user" }),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const PhoneNumberInput = z
  .string()
  .min(3)
  .max(32)
  .meta({ description: 'A mobile number in international (E.164) format, e.g. +447700900123' });

export const CreateFactorBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('totp'), label: z.string().min(1).max(64).optional() }).strict(),
  z
    .object({
      type: z.literal('sms'),
      phone: PhoneNumberInput,
      label: z.string().min(1).max(64).optional(),
      recovery: z.boolean().optional().meta({ description: 'An emergency recovery phone: must differ from the phone of any other SMS factor' }),
    })
    .strict(),
  z.object({ type: z.literal('email'), email: z.email().max(254), label: z.string().min(1).max(64).optional() }).strict(),
]);
export type CreateFactorBody = z.infer<typeof CreateFactorBody>;

export const TotpEnrollment = z
  .object({
    factorId: FactorId,
    type: z.literal('totp'),
    status: z.literal('pending'),
    label: z.string(),
    secret: z.string().meta({ description: 'Base32 secret without padding; shown only once' }),
    otpauthUri: z.string().meta({ description: 'Key Uri Format URI for authenticator apps' }),
    qrCode: z.string().meta({ description: 'data:image/png;base64 URL of the otpauth URI as a QR code' }),
  })
  .meta({ id: 'TotpEnrollment' });
export type TotpEnrollment = z.infer<typeof TotpEnrollment>;

export const OtpEnrollment = z
  .object({
    factorId: FactorId,
    type: z.enum(['sms', 'email']),
    status: z.literal('pending'),
    label: z.string(),
    destination: z.string().meta({ description: 'Masked phone number or email address' }),
    expiresAt: isoTime.meta({ description: 'When the code sent to confirm the factor stops working' }),
  })
  .meta({ id: 'OtpEnrollment' });
export type OtpEnrollment = z.infer<typeof OtpEnrollment>;

export const FactorEnrollment = z.union([TotpEnrollment, OtpEnrollment]);
export type FactorEnrollment = z.infer<typeof FactorEnrollment>;

export const CodeBody = z.object({ code: OtpCode }).strict();

export const FactorVerified = z.object({
  factorId: FactorId,
  status: z.literal('active'),
  recoveryCodes: z.array(z.string()).optional().meta({ description: "Only when this is the user's first active factor" }),
});
export type FactorVerified = z.infer<typeof FactorVerified>;

export const FactorList = z.object({ factors: z.array(Factor) });
export const RecoveryCodesRemaining = z.object({
  remaining: z.number().int(),
  codes: z.array(z.string()).optional().meta({ description: 'The unused codes, only with a fresh Twofold-Assertion' }),
});
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

// ---------------------------------------------------------------- challenges

export const ChallengeContext = z
  .object({
    ip: z.string().max(64).optional(),
    userAgent: z.string().max(512).optional(),
    deviceToken: z.string().max(256).optional(),
  })
  .strict();

export const CreateChallengeBody = z
  .object({ method: Method.optional(), context: ChallengeContext.optional() })
  .strict();
export type CreateChallengeBody = z.infer<typeof CreateChallengeBody>;

export const ChallengeCreated = z
  .object({
    challengeId: ChallengeId.nullable(),
    required: z.boolean(),
    reason: z.enum(['not_enrolled', 'two_factor_enabled', 'enrollment_required', 'two_factor_disabled', 'recognized_device', 'unrecognized_device']),
    methods: z.array(Method),
    method: Method.nullable(),
    expiresAt: isoTime.nullable(),
    destination: z.string().optional().meta({ description: 'sms/email: where the code went, masked' }),
    deviceToken: z.string().optional().meta({ description: "A recognized device's new token (each use rotates it): store it in place of the old one" }),
    enrollmentRequired: z
      .boolean()
      .optional()
      .meta({ description: 'The user must enroll (the methods in enrollmentMethods) before using the app: send them to enrollment' }),
    enrollmentMethods: z.array(FactorType).optional().meta({ description: 'With enrollmentRequired: which factor types satisfy it' }),
    graceEndsAt: isoTime
      .nullable()
      .optional()
      .meta({ description: 'For a user who must enroll: until when they may still sign in without (null once it has passed)' }),
  })
  .meta({ id: 'ChallengeCreated' });
export type ChallengeCreated = z.infer<typeof ChallengeCreated>;

export const ChallengeStatus = z.enum(['pending', 'verified', 'expired', 'locked']);

export const Challenge = z
  .object({
    challengeId: ChallengeId,
    userId: UserId,
    status: ChallengeStatus,
    method: Method,
    expiresAt: isoTime,
    verifiedAt: isoTime.nullable(),
    attemptsRemaining: z.number().int().nullable().meta({ description: 'null when the policy sets no limit' }),
  })
  .meta({ id: 'Challenge' });
export type Challenge = z.infer<typeof Challenge>;

export const VerifyChallengeBody = z
  .object({
    code: OtpCode.optional(),
    recoveryCode: RecoveryCodeInput.optional(),
    rememberDevice: z.boolean().optional().meta({ description: 'Trust this device: the answer carries a deviceToken for the next challenges' }),
  })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'send exactly one of code or recoveryCode',
  });
export type VerifyChallengeBody = z.infer<typeof VerifyChallengeBody>;

export const ChallengeVerified = z
  .object({
    verified: z.literal(true),
    challengeId: ChallengeId,
    userId: UserId,
    method: Method,
    verifiedAt: isoTime,
    recoveryCodesRemaining: z.number().int(),
    assertion: z.string().meta({ description: 'A JWT (ES256) proving this verification; keys at /.well-known/jwks.json' }),
    deviceToken: z.string().optional().meta({ description: 'With rememberDevice: send it as context.deviceToken in later challenges' }),
  })
  .meta({ id: 'ChallengeVerified' });
export type ChallengeVerified = z.infer<typeof ChallengeVerified>;

export const ResendBody = z
  .object({
    method: Method.optional().meta({ description: "Switch to another of the user's methods (when the policy allows fallback)" }),
  })
  .strict();
export type ResendBody = z.infer<typeof ResendBody>;

export const ChallengeResent = z
  .object({
    challengeId: ChallengeId,
    method: Method,
    expiresAt: isoTime,
    resendsRemaining: z.number().int().nullable().meta({ description: 'null when the policy sets no limit' }),
    destination: z.string().optional(),
  })
  .meta({ id: 'ChallengeResent' });
export type ChallengeResent = z.infer<typeof ChallengeResent>;

// ---------------------------------------------------------------- admin

export const AdminUserQuery = z
  .object({
    status: UserStatus.optional(),
    role: z.string().min(1).max(64).optional(),
    cursor: z.string().max(2048).optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserList = z.object({ users: z.array(User), nextCursor: z.string().nullable() }).meta({ id: 'AdminUserList' });
export type AdminUserList = z.infer<typeof AdminUserList>;

export const Overview = z
  .object({
    totalUsers: z.number().int(),
    enrolled: z.number().int(),
    pending: z.number().int(),
    notStarted: z.number().int(),
    enrollmentRate: z.number().meta({ description: 'enrolled / totalUsers, 0 to 1 (0 without users)' }),
    recoveryCodes: z
      .object({
        low: z.number().int().meta({ description: 'Enrolled users with 1 or 2 recovery codes left' }),
        none: z.number().int().meta({ description: 'Enrolled users with no recovery code left' }),
      }),
    recentEnrollments: z.array(z.object({ userId: UserId, enrolledAt: isoTime })).meta({ description: 'The latest enrollments, newest first (up to 10)' }),
    rolesWithoutTwoFactor: z.array(z.object({ role: z.string(), users: z.number().int() })).meta({ description: 'Per role, users without an active factor' }),
  })
  .meta({ id: 'Overview' });
export type Overview = z.infer<typeof Overview>;

export const AuditQuery = z
  .object({
    userId: UserId.optional(),
    cursor: z.string().max(2048).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEvent = z
  .object({
    type: z.string().meta({ description: 'A security event type or an admin action (user.unlocked, user.reset, policy.updated)' }),
    userId: z.string().nullable(),
    at: isoTime,
    actor: z.string().meta({ description: '`user` (through an app key), `admin`, or `system`' }),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .meta({ id: 'AuditEvent' });
export const AuditList = z.object({ events: z.array(AuditEvent), nextCursor: z.string().nullable() }).meta({ id: 'AuditList' });
export type AuditList = z.infer<typeof AuditList>;

// ---------------------------------------------------------------- misc

export const Health = z.object({ status: z.literal('ok') });
export const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'JWKS', description: 'RFC 7517 JSON Web Key Set' });
export const Empty = z.object({}).strict();

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable snake_case error code' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      attemptsRemaining: z.number().int().nullable().optional(),
      retryAfterSeconds: z.number().int().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const UserPath = z.object({ userId: UserId });
export const FactorPath = z.object({ userId: UserId, factorId: FactorId });
export const ChallengePath = z.object({ challengeId: ChallengeId });
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'deviceId is not a valid id');
export const DevicePath = z.object({ userId: UserId, deviceId: DeviceId });
export const DeviceList = z
  .object({
    devices: z.array(z.object({ deviceId: DeviceId, label: z.string(), createdAt: isoTime, lastUsedAt: isoTime.nullable(), expiresAt: isoTime })),
  })
  .meta({ id: 'DeviceList' });
