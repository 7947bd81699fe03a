/**
 * The one place the demo talks to Twofold: each function is one API call the screens need, made
 * server-side with the app key (the browser never sees the key, a secret or an assertion).
 * A Twofold error comes back as TwofoldError with the contract's code, so the routes branch on
 * `invalid_code`, `locked`, `fresh_verification_required`… and never on a status.
 */
import type { ChallengeCreated, ChallengeResent, ChallengeVerified, Factor, FactorEnrollment, FactorVerified, Method, Policy, User } from '@twofold/contract';

export interface TrustedDevice {
  deviceId: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

export interface LoginContext {
  ip?: string;
  userAgent?: string;
  deviceToken?: string;
}

export type NewFactor = { type: 'totp'; label?: string } | { type: 'sms'; phone: string } | { type: 'email'; email: string };

export class TwofoldError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly attemptsRemaining?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TwofoldError';
  }
}

export interface Twofold {
  putUser(userId: string, profile?: { email?: string }): Promise<User>;
  getUser(userId: string): Promise<User>;
  getPolicy(): Promise<Policy>;
  startFactor(userId: string, factor: NewFactor): Promise<FactorEnrollment>;
  confirmFactor(userId: string, factorId: string, code: string): Promise<FactorVerified>;
  removeFactor(userId: string, factorId: string, assertion: string): Promise<void>;
  startChallenge(userId: string, options?: { method?: Method; context?: LoginContext }): Promise<ChallengeCreated>;
  verifyChallenge(challengeId: string, answer: { code: string; rememberDevice?: boolean } | { recoveryCode: string; rememberDevice?: boolean }): Promise<ChallengeVerified>;
  resendChallenge(challengeId: string, method?: Method): Promise<ChallengeResent>;
  disableTwoFactor(userId: string, assertion: string): Promise<void>;
  /** How many recovery codes are left; with a fresh assertion, also which */
  recoveryCodes(userId: string, assertion?: string): Promise<{ remaining: number; codes?: string[] }>;
  regenerateRecoveryCodes(userId: string, assertion: string): Promise<string[]>;
  listDevices(userId: string): Promise<TrustedDevice[]>;
  revokeDevice(userId: string, deviceId: string): Promise<void>;
  revokeAllDevices(userId: string): Promise<void>;
}

export interface TwofoldOptions {
  baseUrl: string;
  appKey: string;
}

export function createTwofold({ baseUrl, appKey }: TwofoldOptions): Twofold {
  const u = encodeURIComponent;
  async function call<T>(method: string, path: string, body?: unknown, assertion?: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${appKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (assertion) headers['twofold-assertion'] = assertion;
    const response = await fetch(new URL(path, baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; attemptsRemaining?: number; retryAfterSeconds?: number } } | undefined)?.error;
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new TwofoldError(
        response.status,
        error?.code ?? 'internal_error',
        error?.message ?? `Twofold answered ${response.status}`,
        error?.attemptsRemaining,
        error?.retryAfterSeconds ?? (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined),
      );
    }
    return parsed as T;
  }
  return {
    putUser: (userId, profile = {}) => call('PUT', `/v1/users/${u(userId)}`, profile),
    getUser: (userId) => call('GET', `/v1/users/${u(userId)}`),
    getPolicy: () => call('GET', '/v1/policy'),
    startFactor: (userId, factor) => call('POST', `/v1/users/${u(userId)}/factors`, factor),
    confirmFactor: (userId, factorId, code) => call('POST', `/v1/users/${u(userId)}/factors/${u(factorId)}/verify`, { code }),
    removeFactor: (userId, factorId, assertion) => call('DELETE', `/v1/users/${u(userId)}/factors/${u(factorId)}`, undefined, assertion),
    startChallenge: (userId, options = {}) => call('POST', `/v1/users/${u(userId)}/challenges`, options),
    verifyChallenge: (challengeId, answer) => call('POST', `/v1/challenges/${u(challengeId)}/verify`, answer),
    resendChallenge: (challengeId, method) => call('POST', `/v1/challenges/${u(challengeId)}/resend`, method ? { method } : {}),
    disableTwoFactor: (userId, assertion) => call('DELETE', `/v1/users/${u(userId)}/two-factor`, undefined, assertion),
    recoveryCodes: (userId, assertion) => call('GET', `/v1/users/${u(userId)}/recovery-codes`, undefined, assertion),
    regenerateRecoveryCodes: async (userId, assertion) =>
      (await call<{ recoveryCodes: string[] }>('POST', `/v1/users/${u(userId)}/recovery-codes`, undefined, assertion)).recoveryCodes,
    listDevices: async (userId) => (await call<{ devices: TrustedDevice[] }>('GET', `/v1/users/${u(userId)}/devices`)).devices,
    revokeDevice: (userId, deviceId) => call('DELETE', `/v1/users/${u(userId)}/devices/${u(deviceId)}`),
    revokeAllDevices: (userId) => call('DELETE', `/v1/users/${u(userId)}/devices`),
  };
}

export type { Factor };
