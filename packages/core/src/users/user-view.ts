/** How a user and their factors look to a client app (the contract's User and Factor). */
import type { Factor, User } from '@twofold/contract/schemas';
import { maskPhone } from '../factors/codes/destinations';
import { kindOf } from '../factors/kinds';
import { enforcementOf } from './enforcement';
import { lockStateOf } from '../login/lockout';
import type { FactorRecord, TenantRecord, UserAggregate } from '../records';
import { statusOf } from './user-status';

export { statusOf };

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function factorView(f: FactorRecord): Factor {
  return {
    factorId: f.factorId,
    type: f.type,
    label: f.label,
    status: f.status,
    createdAt: iso(f.createdAtMs)!,
    lastUsedAt: iso(f.lastUsedAtMs),
    ...kindOf(f.type).describe(f),
  };
}

export function userView(userId: string, user: UserAggregate, nowMs: number, tenant: TenantRecord): User {
  const lock = lockStateOf(user.failures, nowMs);
  const enforcement = enforcementOf(tenant, user, nowMs);
  return {
    userId,
    status: statusOf(user, tenant.policy),
    factors: user.factors.map(factorView),
    recoveryCodesRemaining: user.recovery?.hashes.length ?? 0,
    lockedUntil: iso(lock.lockedUntilMs ?? undefined),
    ...(user.profile?.email ? { email: user.profile.email } : {}),
    ...(user.profile?.phone ? { phone: maskPhone(user.profile.phone) } : {}),
    ...(user.profile?.locale ? { locale: user.profile.locale } : {}),
    roles: user.profile?.roles ?? [],
    sso: user.profile?.sso ?? false,
    enforcement: { required: enforcement.required, graceEndsAt: iso(enforcement.graceEndsAtMs ?? undefined), state: enforcement.state },
  };
}

export const exists = (user: UserAggregate) => user.profile !== undefined || user.factors.length > 0;
