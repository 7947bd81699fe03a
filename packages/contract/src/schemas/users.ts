/** Users and their factors: the user as client apps see it, enrolling and confirming factors, recovery codes. */
import * as z from 'zod/mini';
import { count, isoTime, roles, text } from './build';
import { FactorId, FactorType, OtpCode, UserId } from './common';

const label = () => z.optional(text(1, 64)).check(z.meta({ description: 'A name the user will recognise the factor by (a default per type when omitted)' }));

export const UserStatus = z.enum(['not_started', 'pending', 'enrolled']);
/**
 * `exempt`: an SSO user the policy exempts; `optional`: the policy does not require 2FA of this
 * user; `grace`: required, but the user may sign in without until `graceEndsAt`; `required`.
 */
export const EnforcementState = z.enum(['exempt', 'optional', 'grace', 'required']);
export type EnforcementState = z.infer<typeof EnforcementState>;
export type UserStatus = z.infer<typeof UserStatus>;

export const PutUserBody = z
  .strictObject({
    email: z.optional(z.email().check(z.maxLength(254))).check(z.meta({ description: 'Where email codes and grace-period notices go' })),
    phone: z.optional(text(3, 32)).check(z.meta({ description: 'A mobile number in international (E.164) format' })),
    roles: z.optional(roles()).check(z.meta({ description: "The user's roles in the client app: the policy may require two-factor of some (enforcement.mode roles)" })),
    sso: z.optional(z.boolean()).check(z.meta({ description: 'The user signs in through single sign-on: the policy may exempt them (enforcement.exemptSso)' })),
  })
  .check(z.meta({ id: 'PutUserBody' }));
export type PutUserBody = z.infer<typeof PutUserBody>;

export const Factor = z
  .object({
    factorId: FactorId,
    type: FactorType,
    label: z.string().check(z.meta({ description: 'A name the user recognises, e.g. "Authenticator app"' })),
    status: z.enum(['pending', 'active']).check(z.meta({ description: '`pending` until confirmed with a code; only `active` factors can answer a challenge' })),
    createdAt: isoTime,
    lastUsedAt: z.nullable(isoTime).check(z.meta({ description: 'When the factor last answered a challenge' })),
    destination: z.optional(z.string()).check(z.meta({ description: 'sms/email: the masked destination' })),
    recovery: z.optional(z.boolean()).check(z.meta({ description: 'sms: an emergency recovery phone' })),
  })
  .check(z.meta({ id: 'Factor' }));
export type Factor = z.infer<typeof Factor>;

export const User = z
  .object({
    userId: UserId,
    status: UserStatus.check(z.meta({ description: '`not_started`: no factor; `pending`: a factor was started but none is active; `enrolled`: at least one active factor' })),
    factors: z.array(Factor),
    recoveryCodesRemaining: count().check(z.meta({ description: 'Unused recovery codes' })),
    lockedUntil: z.nullable(isoTime).check(z.meta({ description: 'Until when too many failed attempts keep the user locked out (null when not locked)' })),
    email: z.optional(z.string()).check(z.meta({ description: 'The email putUser gave (email codes and notices go there)' })),
    phone: z.optional(z.string()).check(z.meta({ description: 'Masked' })),
    roles: z.array(z.string()).check(z.meta({ description: "The user's roles in the client app" })),
    sso: z.boolean().check(z.meta({ description: 'Signs in through single sign-on' })),
    enforcement: z
      .object({
        required: z.boolean().check(z.meta({ description: 'Whether the policy requires this user to use two-factor' })),
        graceEndsAt: z.nullable(isoTime).check(z.meta({ description: 'Until when a user who must enroll may still sign in without' })),
        state: EnforcementState.check(
          z.meta({
            description:
              '`exempt`: an SSO user the policy exempts; `optional`: not required of this user; `grace`: required, but the user may still sign in without until graceEndsAt; `required`: required now',
          }),
        ),
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
  z.strictObject({
    type: z.literal('email'),
    email: z.email().check(z.maxLength(254), z.meta({ description: 'Where the codes go; a code is sent now to confirm it' })),
    label: label(),
  }),
]).check(z.meta({ id: 'CreateFactorBody', description: 'The kind of factor: an authenticator app (totp), or codes by SMS or email' }));
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

export const FactorEnrollment = z.union([TotpEnrollment, OtpEnrollment]).check(z.meta({ id: 'FactorEnrollment' }));
export type FactorEnrollment = z.infer<typeof FactorEnrollment>;

export const CodeBody = z.strictObject({ code: OtpCode }).check(z.meta({ id: 'CodeBody' }));

export const FactorVerified = z
  .object({
    factorId: FactorId,
    status: z.literal('active'),
    recoveryCodes: z
      .optional(z.array(z.string()))
      .check(z.meta({ description: "Only when this is the user's first active factor: show them once and let the user save them" })),
  })
  .check(z.meta({ id: 'FactorVerified' }));
export type FactorVerified = z.infer<typeof FactorVerified>;

export const FactorList = z.object({ factors: z.array(Factor) }).check(z.meta({ id: 'FactorList' }));
export const RecoveryCodesRemaining = z
  .object({
    remaining: count().check(z.meta({ description: 'Unused recovery codes' })),
    codes: z.optional(z.array(z.string())).check(z.meta({ description: 'The unused codes, only with a fresh Twofold-Assertion' })),
  })
  .check(z.meta({ id: 'RecoveryCodesRemaining' }));
export const RecoveryCodes = z
  .object({ recoveryCodes: z.array(z.string()).check(z.meta({ description: 'The new codes, each usable once; every earlier code stopped working' })) })
  .check(z.meta({ id: 'RecoveryCodes' }));

export const FactorPath = z.object({ userId: UserId, factorId: FactorId });
