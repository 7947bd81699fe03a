/**
 * The security event catalogue: what Twofold tells client apps (EventBridge, one `detail-type`
 * per event) and records in the audit trail. Client apps act on them — revoke a user's API
 * tokens on `two_factor.disabled`, say.
 */
import * as z from 'zod/mini';

export const securityEventTypes = [
  'two_factor.enabled',
  'two_factor.disabled',
  'factor.added',
  'factor.imported',
  'factor.removed',
  'recovery_code.used',
  'recovery_codes.low',
  'recovery_codes.regenerated',
  'recovery_codes.viewed',
  'user.locked',
  'user.lockout_notified',
  'device.trusted',
  'device.revoked',
  'enforcement.grace_expired',
  'user.unlocked',
  'user.reset',
  'user.deleted',
  'policy.updated',
] as const;
export type SecurityEventType = (typeof securityEventTypes)[number];

export const securityEventDescriptions: Record<SecurityEventType, string> = {
  'two_factor.enabled': "The user's first factor became active: two-factor is on.",
  'two_factor.disabled': "Every factor of the user is gone: revoke the user's API tokens.",
  'factor.added': 'A factor became active (detail: factorId, factorType).',
  'factor.imported': 'A factor was imported from another system, active at once (POST /v1/admin/imports; actor admin; detail: factorId, factorType). One per factor imported; a repeated import emits none.',
  'factor.removed': 'A factor was removed (detail: factorId, factorType).',
  'recovery_code.used': 'A recovery code answered a challenge (detail: remaining).',
  'recovery_codes.low': 'Two or fewer recovery codes are left (detail: remaining).',
  'recovery_codes.regenerated': 'A new set of recovery codes replaced the old one.',
  'recovery_codes.viewed': "The user's unused recovery codes were shown (GET /v1/users/{userId}/recovery-codes with a fresh verification, or with an admin key: actor admin; detail: remaining).",
  'user.locked': 'Too many wrong codes: the user is locked (detail: lockedUntil).',
  'user.lockout_notified':
    "The user was told of a lockout, once per lockout (actor system; detail: lockEventId, the user.locked it is about, and channel: `email` when the notice went to the email sender — the claim is made before sending, so a send that fails is not retried — or `none` when there is no address on file or no email sender).",
  'device.trusted': 'A device was remembered (detail: deviceId).',
  'device.revoked': 'Trusted devices were revoked (detail: deviceId or count).',
  'enforcement.grace_expired': "The user's grace period ended without a factor: enrollment is now required (detail: graceEndsAt).",
  'user.unlocked': 'An admin lifted the lockout of the user.',
  'user.reset': "An admin reset the user's two-factor: factors, recovery codes and devices removed, lock lifted; the user enrolls again.",
  'user.deleted': 'The user was erased: profile, factors, recovery codes, challenges, trusted devices and their audit entries are gone; this entry stays.',
  'policy.updated': "An admin changed the tenant's policy (userId null; detail: changed, the changed top-level fields, and for each changed setting before.<path> and after.<path>, its values as JSON text).",
};

export const SecurityEvent = z
  .object({
    eventId: z.string(),
    type: z.enum(securityEventTypes),
    tenantId: z.string(),
    userId: z.nullable(z.string()).check(z.meta({ description: 'null for events about the tenant (policy.updated)' })),
    at: z.string().check(z.meta({ description: 'ISO-8601 UTC time' })),
    actor: z.string().check(z.meta({ description: '`user` (through an app key), `admin` (then detail.byKeyId and detail.byKeyName name the admin API key), or `system`' })),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .check(z.meta({ id: 'SecurityEvent' }));
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export { EVENT_SOURCE } from './event-source';
