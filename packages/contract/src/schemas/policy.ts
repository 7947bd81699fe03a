/**
 * A tenant's two-factor policy: every field with its default and its own rules (the rules across
 * fields are the core's, in core/src/tenancy/policy.ts).
 */
import * as z from 'zod/mini';
import { int, roles, text } from './build';
import { FactorType } from './common';
import { UserVerification } from './webauthn';
import { MessageSettings } from './messages';
import { HostedPromptSettings } from './prompts';

export const TotpSettings = z.strictObject({
  issuer: z._default(text(1, 64), 'Twofold').check(z.meta({ description: "Issuer shown in authenticator apps; while it is the tenant's name (a new tenant's default), messages.appName is shown instead when set" })),
  digits: z._default(z.literal([6, 8]), 6).check(z.meta({ description: 'Digits of a code' })),
  period: z._default(z.literal([30, 60]), 30).check(z.meta({ description: 'Time step in seconds' })),
  algorithm: z._default(z.enum(['sha1', 'sha256', 'sha512']), 'sha1').check(z.meta({ description: 'HMAC algorithm (RFC 6238); most authenticator apps support only sha1' })),
  window: z._default(int().check(z.minimum(0), z.maximum(2)), 1).check(z.meta({ description: 'Accepted steps before and after now' })),
});
export type TotpSettings = z.infer<typeof TotpSettings>;

export const Policy = z
  .strictObject({
    enabled: z._default(z.boolean(), true).check(z.meta({ description: 'Master switch for the tenant' })),
    enforcement: z.prefault(
      z.strictObject({
        mode: z
          ._default(z.enum(['optional', 'roles', 'all']), 'optional')
          .check(z.meta({ description: '`optional`: users choose; `roles`: required of users with one of `roles`; `all`: required of everyone' })),
        roles: z._default(roles(), []).check(z.meta({ description: 'With mode roles: the roles that must use two-factor' })),
        exemptSso: z._default(z.boolean(), true).check(z.meta({ description: 'Users who sign in through SSO are exempt' })),
        gracePeriodDays: z
          ._default(int().check(z.minimum(0), z.maximum(365)), 7)
          .check(z.meta({ description: 'Days a user who must enroll may still sign in without, counted from when it became required of them' })),
        graceEndsAt: z
          ._default(z.nullable(z.iso.datetime({ message: 'graceEndsAt must be an ISO-8601 UTC time like 2026-12-01T00:00:00Z' })), null)
          .check(z.meta({ description: 'A fixed deadline instead of gracePeriodDays' })),
      }).check(z.meta({ description: 'Who must use two-factor' })),
      {},
    ),
    prompt: z
      ._default(z.enum(['every_login', 'unrecognized_devices']), 'every_login')
      .check(z.meta({ description: '`every_login`: ask for a code at every sign-in; `unrecognized_devices`: only on devices not remembered' })),
    methods: z.prefault(
      z.strictObject({
        allowed: z._default(z.array(FactorType).check(z.minLength(1)), ['totp', 'email']).check(z.meta({ description: 'Factor types users may enroll and sign in with' })),
        default: z._default(FactorType, 'totp').check(z.meta({ description: 'The method a challenge uses when none is asked for; must be in allowed' })),
        allowFallback: z._default(z.boolean(), true).check(z.meta({ description: "A challenge may switch to another of the user's methods" })),
        roleRules: z
          ._default(z.array(z.strictObject({ role: text(1, 64), allowed: z.array(FactorType).check(z.minLength(1)) })).check(z.maxLength(50)), [])
          .check(z.meta({ description: 'Users with a role named here may enrol and log in only with the methods of every rule naming one of their roles (recovery codes always work)' })),
      }).check(z.meta({ description: 'Which second factors users may use' })),
      {},
    ),
    authenticatorEnrollment: z
      ._default(z.enum(['optional', 'required']), 'optional')
      .check(z.meta({ description: '`required`: a user who must enroll must enroll an authenticator app (totp), not only SMS or email' })),
    codeTimeoutSeconds: z
      ._default(z.literal([120, 300, 600, 900, 1800, 3600, 14400, 43200]), 600)
      .check(z.meta({ description: 'How long a challenge (and a code sent by SMS or email) can be answered' })),
    maxInvalidAttempts: z
      ._default(z.nullable(z.literal([3, 5, 10])), 5)
      .check(z.meta({ description: 'Wrong answers before the user is locked out for lockoutSeconds; null: no limit' })),
    lockoutSeconds: z._default(int().check(z.minimum(60), z.maximum(86400)), 600).check(z.meta({ description: 'How long a lockout lasts' })),
    resendLimit: z._default(z.nullable(z.literal([3, 5])), 3).check(z.meta({ description: 'Codes a challenge may resend; null: no limit' })),
    recoveryCodes: z.prefault(
      z
        .strictObject({ count: z._default(int().check(z.minimum(5), z.maximum(16)), 8).check(z.meta({ description: 'Recovery codes in a set' })) })
        .check(z.meta({ description: 'Recovery codes made when the first factor becomes active, and on regenerating' })),
      {},
    ),
    totp: z.prefault(TotpSettings.check(z.meta({ description: 'Authenticator apps (RFC 6238): issuer, digits, period and algorithm apply to factors enrolled from now on, window to every check' })), {}),
    trustedDevices: z.prefault(
      z
        .strictObject({
          enabled: z._default(z.boolean(), true).check(z.meta({ description: 'Users may tick "remember this device"' })),
          days: z._default(int().check(z.minimum(1), z.maximum(365)), 30).check(z.meta({ description: 'How long a device stays remembered' })),
        })
        .check(z.meta({ description: 'Remembered devices' })),
      {},
    ),
    freshVerificationSeconds: z
      ._default(int().check(z.minimum(30), z.maximum(3600)), 300)
      .check(z.meta({ description: 'How old a Twofold-Assertion may be for sensitive calls (disabling, removing a factor, recovery codes)' })),
    assurance: z
      .prefault(
        z.strictObject({
          emailCountsAsMfa: z
            ._default(z.boolean(), false)
            .check(z.meta({ description: 'Whether an email code earns the assertion acr "mfa". NIST SP 800-63B-4 §3.1.3 does not accept email as an out-of-band authenticator, so by default an email-code assertion carries no acr' })),
        }),
        {},
      )
      .check(z.meta({ description: 'What an assertion claims about the strength of the verification' })),
    emailCodeOnUnrecognizedDevice: z
      ._default(z.boolean(), false)
      .check(z.meta({ description: 'Users without two-factor get an email code when signing in from a device not remembered' })),
    auditRetentionDays: z
      ._default(int().check(z.minimum(30), z.maximum(3650)), 365)
      .check(z.meta({ description: "How long a user's audit entries are kept (DynamoDB's TTL removes them after it)" })),
    sms: z.prefault(
      z.strictObject({
        allowedCountries: z
          ._default(z.array(z.string().check(z.regex(/^[A-Z]{2}$/))), [])
          .check(z.meta({ description: 'ISO 3166 country codes SMS codes may go to; empty: every country' })),
      }).check(z.meta({ description: 'SMS codes' })),
      {},
    ),
    webauthn: z.prefault(
      z.strictObject({
        rpId: z._default(z.nullable(text(1, 253)), null).check(z.meta({ description: "The client app's domain (example.com; localhost for development)" })),
        rpName: z._default(z.nullable(text(1, 64)), null).check(z.meta({ description: 'Shown by the browser; defaults to totp.issuer' })),
        origins: z
          ._default(z.array(text(1, 300)).check(z.maxLength(20)), [])
          .check(z.meta({ description: 'The exact origins the pages run on (https://app.example.com, http://localhost:5173)' })),
        userVerification: z._default(UserVerification, 'preferred'),
      }).check(z.meta({ description: 'Passkeys and security keys (WebAuthn)' })),
      {},
    ),
    messages: z.prefault(MessageSettings, {}).check(z.meta({ description: 'The SMS and email texts: templates, app name, From name, default language' })),
    hostedPrompt: z
      .prefault(HostedPromptSettings, {})
      .check(z.meta({ description: 'The hosted prompt (POST /v1/prompts): the redirect URIs it may send users back to, and its branding' })),
  })
  .check(z.meta({ id: 'Policy', description: "A tenant's two-factor policy" }));
export type Policy = z.infer<typeof Policy>;

/**
 * PUT's body: the whole policy, each absent field taking its default — except `totp.issuer`,
 * whose default for a tenant is the tenant's name (what it was created with), not "Twofold":
 * a PUT that leaves the issuer out keeps the name users see in their authenticator apps.
 */
export const PolicyReplacement = z
  .strictObject({
    ...Policy.shape,
    totp: z.prefault(
      z.strictObject({ ...TotpSettings.shape, issuer: z.optional(text(1, 64)).check(z.meta({ description: "Issuer shown in authenticator apps; absent: the tenant's name" })) }),
      {},
    ),
  })
  .check(z.meta({ id: 'PolicyReplacement', description: "A tenant's whole two-factor policy; absent fields take their defaults" }));
export type PolicyReplacement = z.infer<typeof PolicyReplacement>;

/**
 * PATCH's body: a JSON merge patch (RFC 7396) of the policy. Only the fields it names change;
 * `null` removes a field, which then takes its default. The result is checked like a PUT's.
 */
export const PolicyPatch = z
  .record(z.string(), z.unknown())
  .check(z.meta({ id: 'PolicyPatch', description: 'A JSON merge patch (RFC 7396) of the policy: the fields to change; null resets a field to its default' }));
export type PolicyPatch = z.infer<typeof PolicyPatch>;
