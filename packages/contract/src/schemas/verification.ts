/** Answering a challenge: with a code or a recovery code, and what a verified challenge returns. */
import * as z from 'zod/mini';
import { count, isoTime } from './build';
import { ChallengeId, Method, OtpCode, RecoveryCodeInput, UserId } from './common';

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
    z.meta({ id: 'VerifyChallengeBody', description: 'Exactly one of code or recoveryCode' }),
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
    assertion: z.string().check(z.meta({ description: 'A JWT (ES256) proving this verification; keys at /.well-known/jwks.json' })),
    deviceToken: z.optional(z.string()).check(z.meta({ description: 'With rememberDevice: send it as context.deviceToken in later challenges' })),
  })
  .check(z.meta({ id: 'ChallengeVerified' }));
export type ChallengeVerified = z.infer<typeof ChallengeVerified>;
