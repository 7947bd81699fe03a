/** What several resources share: ids, the factor types and methods, codes as a user types them, the user and challenge paths. */
import * as z from 'zod/mini';
import { opaqueId, text } from './build';

export const UserId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._@:+-]{1,128}$/, 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : + -'), z.meta({ description: "The client app's id for the user" }));

export const FactorId = opaqueId('factorId');
export const ChallengeId = opaqueId('challengeId');
export const TenantId = opaqueId('tenantId');

export const FactorType = z.enum(['totp', 'sms', 'email']).check(z.meta({ description: '`totp`: an authenticator app; `sms`, `email`: a code sent there' }));
export type FactorType = z.infer<typeof FactorType>;
export const Method = z.enum(['totp', 'sms', 'email', 'recovery_code']).check(z.meta({ description: 'A way to answer a challenge: a factor type, or a recovery code' }));
export type Method = z.infer<typeof Method>;
export const Scope = z.enum(['app', 'admin']);
export type Scope = z.infer<typeof Scope>;

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

export const UserPath = z.object({ userId: UserId });
export const ChallengePath = z.object({ challengeId: ChallengeId });
