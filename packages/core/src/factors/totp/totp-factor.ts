/** An authenticator factor's key: its secret, unsealed for the user and factor it belongs to. */
import type { TenantKeys } from '../../keyring';
import type { TotpFactorRecord } from '../../records';
import { open } from '../../secret-box';
import type { TotpKey } from './totp';

export const factorBinding = (tenantId: string, userId: string, factorId: string) => ['totp-secret', tenantId, userId, factorId] as const;

export function totpKeyOf(keys: TenantKeys, tenantId: string, userId: string, factor: TotpFactorRecord): TotpKey {
  const t = factor.totp;
  return {
    secret: open(keys.sealKey, t.sealedSecret, factorBinding(tenantId, userId, factor.factorId)),
    algorithm: t.algorithm,
    digits: t.digits,
    period: t.period,
  };
}
