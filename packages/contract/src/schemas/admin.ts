/** The admin API: users by status and role, adoption, the audit trail. */
import * as z from 'zod/mini';
import { int, isoTime, text } from './build';
import { UserId } from './common';
import { User, UserStatus } from './users';

/** A page size in a query string (so coerced from text): 1 to 100, 50 by default. */
const pageLimit = () => z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 50);

export const AdminUserQuery = z.strictObject({
  status: z.optional(UserStatus),
  role: z.optional(text(1, 64)),
  cursor: z.optional(z.string().check(z.maxLength(2048))).check(z.meta({ description: 'nextCursor of the previous page' })),
  limit: pageLimit(),
});
export type AdminUserQuery = z.infer<typeof AdminUserQuery>;

export const AdminUserList = z.object({ users: z.array(User), nextCursor: z.nullable(z.string()) }).check(z.meta({ id: 'AdminUserList' }));
export type AdminUserList = z.infer<typeof AdminUserList>;

export const Overview = z
  .object({
    totalUsers: int(),
    enrolled: int(),
    pending: int(),
    notStarted: int(),
    enrollmentRate: z.number().check(z.meta({ description: 'enrolled / totalUsers, 0 to 1 (0 without users)' })),
    recoveryCodes: z.object({
      low: int().check(z.meta({ description: 'Enrolled users with 1 or 2 recovery codes left' })),
      none: int().check(z.meta({ description: 'Enrolled users with no recovery code left' })),
    }),
    recentEnrollments: z
      .array(z.object({ userId: UserId, enrolledAt: isoTime }))
      .check(z.meta({ description: 'The latest enrollments, newest first (up to 10)' })),
    rolesWithoutTwoFactor: z
      .array(z.object({ role: z.string(), users: int() }))
      .check(z.meta({ description: 'Per role, users without an active factor' })),
  })
  .check(z.meta({ id: 'Overview' }));
export type Overview = z.infer<typeof Overview>;

export const AuditQuery = z.strictObject({
  userId: z.optional(UserId),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: pageLimit(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEvent = z
  .object({
    type: z.string().check(z.meta({ description: 'A security event type or an admin action (user.unlocked, user.reset, policy.updated)' })),
    userId: z.nullable(z.string()),
    at: isoTime,
    actor: z.string().check(z.meta({ description: '`user` (through an app key), `admin`, or `system`' })),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .check(z.meta({ id: 'AuditEvent' }));
export const AuditList = z.object({ events: z.array(AuditEvent), nextCursor: z.nullable(z.string()) }).check(z.meta({ id: 'AuditList' }));
export type AuditList = z.infer<typeof AuditList>;
