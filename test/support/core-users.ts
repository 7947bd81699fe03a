/** Making users straight through the core's use cases (many, fast), with codes from oathtool. */
import { confirmFactor, startFactorEnrollment, type CoreDeps } from '@twofold/core';
import { oathtool } from './authenticator';

/** Enrols an authenticator app for the user and confirms it; returns its base32 secret and the recovery codes. */
export async function enrolTotpDirect(deps: CoreDeps, tenantId: string, userId: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await startFactorEnrollment(deps, tenantId, userId, { type: 'totp' });
  if (started.type !== 'totp') throw new Error('expected a TOTP enrollment');
  const code = await oathtool(started.secret, deps.clock.nowMs());
  const confirmed = await confirmFactor(deps, tenantId, userId, started.factorId, { code });
  return { secret: started.secret, recoveryCodes: confirmed.recoveryCodes ?? [] };
}
