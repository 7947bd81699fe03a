/** Challenges: starting the login step, reading it, sending its code again. */
import * as z from 'zod/mini';
import { int, isoTime } from './build';
import { ChallengeId, FactorType, Method, UserId } from './common';
import { RequestOptionsJSON } from './webauthn';

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
    options: z.optional(RequestOptionsJSON).check(z.meta({ description: 'webauthn: give to PublicKeyCredential.parseRequestOptionsFromJSON()' })),
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
    options: z.optional(RequestOptionsJSON).check(z.meta({ description: 'webauthn (a switch to it): the request options' })),
  })
  .check(z.meta({ id: 'ChallengeResent' }));
export type ChallengeResent = z.infer<typeof ChallengeResent>;
