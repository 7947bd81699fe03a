/** Challenges: starting the login step, reading it, sending its code again. */
import * as z from 'zod/mini';
import { count, isoTime } from './build';
import { ChallengeId, FactorType, Method, UserId } from './common';
import { RequestOptionsJSON } from './webauthn';

export const ChallengeContext = z
  .strictObject({
    ip: z.optional(z.string().check(z.maxLength(64))).check(z.meta({ description: "The signing-in user's IP address, as the client app saw it" })),
    userAgent: z.optional(z.string().check(z.maxLength(512))).check(z.meta({ description: "The user's browser (User-Agent), used to label a remembered device" })),
    deviceToken: z
      .optional(z.string().check(z.maxLength(256)))
      .check(z.meta({ description: 'The deviceToken a verified challenge with rememberDevice returned, for this browser' })),
  })
  .check(z.meta({ description: 'About the sign-in: lets a remembered device skip the code (prompt unrecognized_devices)' }));

export const CreateChallengeBody = z
  .strictObject({
    method: z.optional(Method).check(z.meta({ description: "One of the user's methods; the policy's default (or the user's first usable method) when omitted" })),
    context: z.optional(ChallengeContext),
    audience: z
      .optional(z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, 'audience is printable ASCII without spaces')))
      .check(z.meta({ description: "The client app's id: the verified challenge's assertion carries it as `aud`, so that only that app accepts it" })),
    nonce: z
      .optional(z.string().check(z.minLength(8), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, 'nonce is printable ASCII without spaces')))
      .check(z.meta({ description: 'A value the client app made for this login attempt: the assertion carries it as `nonce` (check it to bind the assertion to the attempt)' })),
  })
  .check(z.meta({ id: 'CreateChallengeBody' }));
export type CreateChallengeBody = z.infer<typeof CreateChallengeBody>;

export const ChallengeCreated = z
  .object({
    challengeId: z.nullable(ChallengeId).check(z.meta({ description: 'The challenge to answer; null when no code is asked for' })),
    required: z.boolean().check(z.meta({ description: 'Whether the user must answer a second factor before signing in' })),
    reason: z
      .enum(['not_enrolled', 'two_factor_enabled', 'enrollment_required', 'two_factor_disabled', 'recognized_device', 'unrecognized_device'])
      .check(
        z.meta({
          description:
            'Why: `not_enrolled` (no active factor, sign in), `two_factor_enabled` (ask for a code), `enrollment_required` (the policy requires enrolling first), `two_factor_disabled` (the tenant turned two-factor off), `recognized_device` (a remembered device, sign in), `unrecognized_device` (a new device: ask for a code)',
        }),
      ),
    methods: z.array(Method).check(z.meta({ description: 'The methods the user may answer with, `recovery_code` included' })),
    method: z.nullable(Method).check(z.meta({ description: 'The method of this challenge (a code was sent now for sms and email)' })),
    expiresAt: z.nullable(isoTime).check(z.meta({ description: 'When the challenge stops accepting answers' })),
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
    status: ChallengeStatus.check(
      z.meta({ description: '`pending`: awaiting an answer; `verified`: answered; `expired`: past expiresAt; `locked`: too many wrong answers' }),
    ),
    method: Method,
    expiresAt: isoTime,
    verifiedAt: z.nullable(isoTime).check(z.meta({ description: 'When it was answered correctly (null until then)' })),
    attemptsRemaining: z.nullable(count()).check(z.meta({ description: 'null when the policy sets no limit' })),
  })
  .check(z.meta({ id: 'Challenge' }));
export type Challenge = z.infer<typeof Challenge>;

export const ResendBody = z
  .strictObject({
    method: z.optional(Method).check(z.meta({ description: "Switch to another of the user's methods (when the policy allows fallback)" })),
  })
  .check(z.meta({ id: 'ResendBody' }));
export type ResendBody = z.infer<typeof ResendBody>;

export const ChallengeResent = z
  .object({
    challengeId: ChallengeId,
    method: Method,
    expiresAt: isoTime.check(z.meta({ description: 'When the new code stops working' })),
    resendsRemaining: z.nullable(count()).check(z.meta({ description: 'null when the policy sets no limit' })),
    destination: z.optional(z.string()).check(z.meta({ description: 'sms/email: where the code went, masked' })),
    options: z.optional(RequestOptionsJSON).check(z.meta({ description: 'webauthn (a switch to it): the request options' })),
  })
  .check(z.meta({ id: 'ChallengeResent' }));
export type ChallengeResent = z.infer<typeof ChallengeResent>;
