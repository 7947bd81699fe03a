/**
 * A passkey or security key: enrolled with creation options (their challenge kept on the pending
 * factor), confirmed with the registration response, and answered with an authentication
 * response to the request options a challenge carries. The WebAuthn library is loaded only in
 * the methods that check a response (enrolment's modules and webauthn-answer.ts), so a TOTP or
 * SMS login never evaluates it.
 */
import type { FactorKind } from '../factor-kind';
import { addPending } from '../pending-factors';
import { webauthnOptionsFor } from './webauthn-login';

export const webauthn: FactorKind<'webauthn'> = {
  type: 'webauthn',

  async enrol(deps, { tenant, userId, user, body, nowMs }) {
    const { startWebauthnEnrollment } = await import('./webauthn-enrollment');
    const { factor, enrollment } = await startWebauthnEnrollment(deps, tenant, userId, user, body, nowMs);
    await addPending(deps, tenant.tenantId, userId, factor, nowMs);
    return enrollment;
  },

  async confirm(deps, { tenant, keys, userId, user, factor, answer, nowMs }) {
    const { checkWebauthnRegistration } = await import('./webauthn-enrollment');
    const credential = await checkWebauthnRegistration(deps, tenant, keys, userId, user, factor, answer.credential, nowMs);
    // the registration challenge is spent with the activation
    const { codeExpiresAtMs: _e, webauthnChallenge: _w, ...rest } = factor;
    return {
      activated: { ...rest, status: 'active', activatedAtMs: nowMs, webauthn: credential },
      // a passkey's counter starts where its registration left it, in the login item
      login: { setSignCounts: { [factor.factorId]: credential.signCount } },
    };
  },

  // the request options for the challenge kept on the challenge (challenges.ts keeps one for every user with a passkey)
  async challenge(deps, { tenant, user, challenge }) {
    const options = webauthnOptionsFor(tenant, await deps.keyRing.keysFor(tenant), user, challenge);
    return options ? { options } : {};
  },

  async answer(deps, { tenant, keys, challenge, user, body, nowMs }) {
    if (body.credential === undefined) return undefined;
    const { checkWebauthnAnswer } = await import('./webauthn-answer');
    const checked = await checkWebauthnAnswer(deps, tenant, keys, challenge, user, body.credential, nowMs);
    if (!checked.ok) return { problem: checked.problem };
    const { use } = checked;
    return {
      method: 'webauthn',
      webauthnCounter: { factorId: use.factorId, expected: use.expectedSignCount, next: use.signCount },
      ...(use.sealed ? { resealed: { factorId: use.factorId, sealed: use.sealed } } : {}),
    };
  },

  describe: () => ({}),
};
