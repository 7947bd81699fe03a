/** How a user and their factors look to a client app (the contract's User and Factor). */
import type { Factor, User, UserStatus } from '@twofold/contract/schemas';
import { maskDestination, maskPhone } from './destinations';
import { lockStateOf } from './lockout';
import type { FactorRecord, UserAggregate } from './records';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function factorView(f: FactorRecord): Factor {
  return {
    factorId: f.factorId,
    type: f.type,
    label: f.label,
    status: f.status,
    createdAt: iso(f.createdAtMs)!,
    lastUsedAt: iso(f.lastUsedAtMs),
    ...(f.destination && f.type !== 'totp' ? { destination: maskDestination(f.type, f.destination) } : {}),
    ...(f.recovery ? { recovery: true } : {}),
  };
}

export function statusOf(user: UserAggregate): UserStatus {
  if (user.factors.some((f) => f.status === 'active')) return 'enrolled';
  return user.factors.length > 0 ? 'pending' : 'not_started';
}


export function userView(userId: string, user: UserAggregate, nowMs: number): User {
  const lock = lockStateOf(user.failures, nowMs);
  return {
    userId,
    status: statusOf(user),
    factors: user.factors.map(factorView),
    recoveryCodesRemaining: user.recovery?.hashes.length ?? 0,
    lockedUntil: iso(lock.lockedUntilMs ?? undefined),
    ...(user.profile?.email ? { email: user.profile.email } : {}),
    ...(user.profile?.phone ? { phone: maskPhone(user.profile.phone) } : {}),
    roles: user.profile?.roles ?? [],
    sso: user.profile?.sso ?? false,
  };
}

export const exists = (user: UserAggregate) => user.profile !== undefined || user.factors.length > 0;
