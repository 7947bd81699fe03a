/** The admin API: users by status and role, adoption, the audit trail. */
import * as z from 'zod/mini';
import { count, isoTime, text } from './build';
import { UserId } from './common';
import { User, UserStatus } from './users';
import { securityEventTypes } from '../events';

/** A page size in a query string (so coerced from text): 1 to 100, 50 by default. */
const pageLimit = () =>
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50).check(z.meta({ description: 'How many to return in a page (1 to 100)' }));

export const AdminUserQuery = z.strictObject({
  status: z.optional(UserStatus).check(z.meta({ description: 'Only users with this status' })),
  role: z.optional(text(1, 64)).check(z.meta({ description: 'Only users with this role' })),
  locked: z
    .optional(z.enum(['true']))
    .check(z.meta({ description: 'true: only users locked out now (lockedUntil in the future). A page may then hold fewer than limit users with a nextCursor: follow it' })),
  cursor: z.optional(z.string().check(z.maxLength(2048))).check(z.meta({ description: 'nextCursor of the previous page' })),
  limit: pageLimit(),
});
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserList = z.object({ users: z.array(User), nextCursor: z.nullable(z.string()).check(z.meta({ description: 'Pass as cursor for the next page; null on the last page' })) }).check(z.meta({ id: 'AdminUserList' }));
export type AdminUserList = z.infer<typeof AdminUserList>;

export const Overview = z
  .object({
    totalUsers: count().check(z.meta({ description: 'Users Twofold knows of in the tenant' })),
    enrolled: count().check(z.meta({ description: 'Users with at least one active factor' })),
    pending: count().check(z.meta({ description: 'Users who started a factor but have none active' })),
    notStarted: count().check(z.meta({ description: 'Users without any factor' })),
    enrollmentRate: z.number().check(z.meta({ description: 'enrolled / totalUsers, 0 to 1 (0 without users)' })),
    recoveryCodes: z.object({
      low: count().check(z.meta({ description: 'Enrolled users with 1 or 2 recovery codes left' })),
      none: count().check(z.meta({ description: 'Enrolled users with no recovery code left' })),
    }),
    smsOnly: count().check(
      z.meta({ description: 'Users whose only active factors are SMS (recovery codes aside): on a restricted authenticator alone (NIST SP 800-63B-4), to move to an authenticator app or a passkey' }),
    ),
    recentEnrollments: z
      .array(z.object({ userId: UserId, enrolledAt: isoTime }))
      .check(z.meta({ description: 'The latest enrollments, newest first (up to 10)' })),
    rolesWithoutTwoFactor: z
      .array(z.object({ role: z.string(), users: count().check(z.meta({ description: 'Users with this role and no active factor' })) }))
      .check(z.meta({ description: 'Per role, users without an active factor' })),
  })
  .check(z.meta({ id: 'Overview' }));
export type Overview = z.infer<typeof Overview>;

/** A time in a query string: an ISO-8601 date (midnight UTC) or date-time with its offset, as the ISO-8601 UTC time the audit trail sorts by. */
const queryTime = (description: string) =>
  z.optional(
    z.pipe(
      z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
      z.transform((t) => new Date(t).toISOString()),
    ),
  ).check(z.meta({ description, example: '2026-12-01' }));

export const AuditQuery = z
  .strictObject({
    userId: z.optional(UserId).check(z.meta({ description: "Only this user's entries" })),
    type: z.optional(z.enum(securityEventTypes)).check(z.meta({ description: 'Only entries of this type. A page may then hold fewer than limit entries with a nextCursor: follow it' })),
    from: queryTime('Only entries at or after this time (an ISO-8601 date, meaning midnight UTC, or date-time)'),
    to: queryTime('Only entries before this time (exclusive; an ISO-8601 date, meaning midnight UTC, or date-time)'),
    cursor: z.optional(z.string().check(z.maxLength(2048))).check(z.meta({ description: 'nextCursor of the previous page' })),
    limit: pageLimit(),
  })
  .check(
    z.refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: 'from must be before to', path: ['from'] }),
  );
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEvent = z
  .object({
    type: z.string().check(z.meta({ description: 'A security event type or an admin action (user.unlocked, user.reset, policy.updated)' })),
    userId: z.nullable(z.string()).check(z.meta({ description: 'The user it concerns (null for tenant-wide actions such as a policy change)' })),
    at: isoTime,
    actor: z.string().check(z.meta({ description: '`user` (through an app key), `admin` (then details.byKeyId and details.byKeyName name the admin API key), or `system`' })),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .check(z.meta({ description: 'What the entry is about (e.g. the factor type or method); never a secret, code or full phone number' })),
  })
  .check(z.meta({ id: 'AuditEvent' }));
export const AuditList = z.object({ events: z.array(AuditEvent), nextCursor: z.nullable(z.string()).check(z.meta({ description: 'Pass as cursor for the next page; null on the last page' })) }).check(z.meta({ id: 'AuditList' }));
export type AuditList = z.infer<typeof AuditList>;
