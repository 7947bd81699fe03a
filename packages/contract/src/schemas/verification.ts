/** Answering a challenge: with a code or a recovery code, and what a verified challenge returns. */
import * as z from 'zod/mini';
import { count, isoTime } from './build';
import { ChallengeId, Method, OtpCode, RecoveryCodeInput, UserId } from './common';
import { AuthenticationResponseJSON } from './webauthn';

export const VerifyChallengeBody = z
  .strictObject({
    code: z.optional(OtpCode),
    recoveryCode: z.optional(RecoveryCodeInput),
    credential: z.optional(AuthenticationResponseJSON).check(z.meta({ description: 'webauthn: credential.toJSON() after navigator.credentials.get()' })),
    rememberDevice: z
      .optional(z.boolean())
      .check(z.meta({ description: 'Trust this device: the answer carries a deviceToken for the next challenges' })),
  })
  .check(
    z.refine((b) => [b.code, b.recoveryCode, b.credential].filter((v) => v !== undefined).length === 1, {
      message: 'send exactly one of code, recoveryCode or credential',
    }),
    z.meta({ id: 'VerifyChallengeBody', description: 'Exactly one of code, recoveryCode or credential (webauthn)' }),
  );
export type VerifyChallengeBody = z.infer<typeof VerifyChallengeBody>;

export const ChallengeVerified = z
  .object({
    verified: z.literal(true),
    challengeId: ChallengeId,
    userId: UserId,
    method: Method.check(z.meta({ description: 'How the user answered' })),
    verifiedAt: isoTime,
    recoveryCodesRemaining: count().check(z.meta({ description: 'Unused recovery codes (after a recovery code: suggest regenerating when low)' })),
    assertion: z
      .string()
      .check(z.meta({ description: 'A JWT (ES256) proving this verification, valid for the policy\'s freshVerificationSeconds; keys at /.well-known/jwks.json. acr "phr" after webauthn, "mfa" after totp, sms or a recovery code, none after an email code unless policy.assurance.emailCountsAsMfa; amr names the method ("otp" after totp or a recovery code, "sms", "email" after an email code — never "otp" or "mfa", as NIST SP 800-63B-4 §3.1.3 says email is not an out-of-band authenticator —, "hwk" after webauthn) and twofold_method the method; aud and nonce echo the challenge request\'s audience and nonce. Good for one sensitive operation' })),
    deviceToken: z.optional(z.string()).check(z.meta({ description: 'With rememberDevice: send it as context.deviceToken in later challenges' })),
    deviceSkipsCode: z
      .optional(z.boolean())
      .check(
        z.meta({
          description:
            "With rememberDevice: true when the remembered device will skip the code at its next sign-ins (the policy's prompt is `unrecognized_devices` and trustedDevices is enabled); false when the policy asks for a code at every login (`every_login`, the default) or trusts no device, so an app should not promise the user to be remembered",
        }),
      ),
  })
  .check(z.meta({ id: 'ChallengeVerified' }));
export type ChallengeVerified = z.infer<typeof ChallengeVerified>;
