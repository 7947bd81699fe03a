/**
 * An authenticator app: enrolled with a secret shown once (with its QR code), confirmed and
 * answered with a code of a time step after the last one accepted; no challenge sends anything.
 */
import type { TenantRecord, TotpFactorRecord } from '../../records';
import { fail } from '../../errors';
import { newId } from '../../ids';
import { seal, SealedDataError } from '../../secret-box';
import type { FactorKind } from '../factor-kind';
import { addPending, confirmationCode, countEnrollmentFailure } from '../pending-factors';
import { encodeSecret, matchTotp, newTotpSecret, otpauthUri, type TotpKey } from './totp';
import { factorBinding, totpKeyOf } from './totp-factor';

export const totp: FactorKind<'totp'> = {
  type: 'totp',

  async enrol(deps, { tenant, userId, user, body, nowMs }) {
    const { tenantId } = tenant;
    if (!tenant.policy.methods.allowed.includes('totp')) {
      fail('method_not_available', `This tenant's policy does not allow authenticator apps; allowed: ${tenant.policy.methods.allowed.join(', ')}.`);
    }
    const keys = await deps.keyRing.keysFor(tenant);
    const factorId = newId(deps.random, 'f');
    const { digits, period, algorithm } = tenant.policy.totp;
    const issuer = totpIssuer(tenant);
    const key: TotpKey = { secret: newTotpSecret(deps.random), algorithm, digits, period };
    const label = body.label ?? 'Authenticator app';
    const factor: TotpFactorRecord = {
      factorId,
      type: 'totp',
      label,
      status: 'pending',
      createdAtMs: nowMs,
      failedAttempts: 0,
      totp: { sealedSecret: seal(keys.sealKey, deps.random, key.secret, factorBinding(tenantId, userId, factorId)), algorithm, digits, period },
    };
    await addPending(deps, tenantId, userId, factor, nowMs);
    const uri = otpauthUri(key, issuer, user.profile?.email ?? userId);
    return {
      factorId,
      type: 'totp',
      status: 'pending',
      label,
      secret: encodeSecret(key.secret),
      otpauthUri: uri,
      qrCode: await (await import('./totp-qr-code')).qrCodeDataUrl(uri),
    };
  },

  async confirm(deps, { tenant, keys, userId, factor, answer, nowMs }) {
    const code = confirmationCode(answer, factor);
    const step = matchTotp(totpKeyOf(keys, tenant.tenantId, userId, factor), code, { epochSeconds: Math.floor(nowMs / 1000), window: tenant.policy.totp.window });
    if (step === undefined) return countEnrollmentFailure(deps, tenant.tenantId, userId, factor.factorId);
    // the step that confirmed an authenticator is used: it cannot log in
    return { activated: { ...factor, status: 'active', activatedAtMs: nowMs }, login: { setSteps: { [factor.factorId]: step } } };
  },

  // the code comes from the app: nothing to send
  challenge: async () => ({}),

  async answer(_deps, { keys, challenge, user, body, nowMs }) {
    const { tenantId, userId } = challenge;
    const code = body.code ?? '';
    for (const factor of user.factors) {
      if (factor.type !== 'totp' || factor.status !== 'active') continue;
      let key: TotpKey;
      try {
        key = totpKeyOf(keys, tenantId, userId, factor);
      } catch (error) {
        // a secret that does not open for this user (moved or tampered with) matches nothing
        if (error instanceof SealedDataError) continue;
        throw error;
      }
      const step = matchTotp(key, code, {
        epochSeconds: Math.floor(nowMs / 1000),
        window: challenge.limits.totpWindow,
        ...(factor.lastUsedStep !== undefined ? { afterStep: factor.lastUsedStep } : {}),
      });
      if (step !== undefined) return { method: 'totp', totpStep: { factorId: factor.factorId, step } };
    }
    return undefined;
  },

  describe: () => ({}),
};

/**
 * The name an authenticator app files the key under: the policy's `totp.issuer` when a workspace
 * chose one; while it is still the default (the tenant's name, what a new tenant starts with) the
 * policy's `messages.appName` when set, the name the login page and the codes' texts use, so that
 * the app shows "Acme Workspace: carol" beside "enter the code for Acme Workspace".
 */
export function totpIssuer(tenant: Pick<TenantRecord, 'name' | 'policy'>): string {
  const { issuer } = tenant.policy.totp;
  const appName = tenant.policy.messages.appName;
  return appName !== undefined && issuer === tenant.name ? appName : issuer;
}
