/**
 * Passkeys without the WebAuthn library: the tenant's relying party and its checks, the opaque
 * user handle, how a credential is sealed, the request options a challenge carries (plain JSON),
 * and the names of the checks a response can fail. Kept apart from webauthn.ts so that what only
 * needs these (the policy, the login step, the admin API) does not carry @simplewebauthn/server
 * and its certificate libraries; only checking a response does.
 */
import type { Policy, RequestOptionsJSON } from '@twofold/contract/schemas';
import type { TenantKeys } from '../../keyring';
import { keyedHash } from '../../keyring';
import type { Random } from '../../ports';
import type { FactorRecord, WebauthnCredentialRecord, WebauthnFactorRecord } from '../../records';
import { open, seal, SealedDataError } from '../../secret-box';

/** WebAuthn §13.4.3: challenges of at least 16 random bytes; we use 32. */
export const WEBAUTHN_CHALLENGE_BYTES = 32;
/** How long a browser ceremony may take (the `timeout` hint) and a pending registration lives. */
export const WEBAUTHN_TIMEOUT_SECONDS = 300;
/** COSE algorithm identifiers (RFC 9053 / IANA): ES256 first (every authenticator has it), RS256 (Windows Hello). */
export const WEBAUTHN_ALGORITHMS = [-7, -257] as const;

/** The tenant's relying party, from its policy (checked across fields when the policy is saved). */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
  userVerification: 'preferred' | 'required';
}

/** The relying party, or undefined when the policy names none (webauthn cannot be allowed then). */
export function relyingPartyOf(policy: Policy): RelyingParty | undefined {
  const { rpId, rpName, origins, userVerification } = policy.webauthn;
  if (rpId === null || origins.length === 0) return undefined;
  return { rpId, rpName: rpName ?? policy.totp.issuer, origins, userVerification };
}

/**
 * The origins a relying party may name: https (or http on localhost, which browsers treat as a
 * secure context), written exactly as `new URL(o).origin` writes it, with a host that is the
 * rpId or under it (WebAuthn §5.1.3 step 8: the RP ID must be a registrable suffix of the origin's host).
 */
export function originProblem(origin: string, rpId: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `"${origin}" is not an origin; write it like https://app.example.com`;
  }
  if (url.origin !== origin) return `"${origin}" is not written as an origin; write "${url.origin}" (scheme, host and port only, no trailing slash)`;
  const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return `"${origin}" must use https (http only on localhost)`;
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) return `the host of "${origin}" is neither webauthn.rpId "${rpId}" nor under it`;
  return undefined;
}

/** A domain as an RP ID: lower-case labels, no scheme, port or path. */
export const isRpId = (rpId: string) => /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(rpId);

/**
 * The user handle (`user.id`): opaque and stable per user — a keyed hash of the userId, so that it
 * says nothing about the user to anyone without the tenant's key (WebAuthn §14.6.1: it must not
 * contain personally identifying information), and needs no storage to be the same every time.
 */
export function userHandleOf(keys: TenantKeys, tenantId: string, userId: string): string {
  return keyedHash(keys.hashKey, tenantId, userId, 'webauthn-user-handle');
}

/** What is sealed of a credential. */
export interface SealedCredential {
  /** COSE public key, base64url */
  publicKey: string;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  aaguid: string;
}

export const credentialBinding = (tenantId: string, userId: string, factorId: string, credentialId: string) =>
  ['webauthn-credential', tenantId, userId, factorId, credentialId] as const;

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export function sealCredential(keys: TenantKeys, random: Random, where: { tenantId: string; userId: string; factorId: string; credentialId: string }, c: SealedCredential) {
  return seal(keys.sealKey, random, Buffer.from(JSON.stringify(c), 'utf8'), credentialBinding(where.tenantId, where.userId, where.factorId, where.credentialId));
}

export function openCredential(keys: TenantKeys, tenantId: string, userId: string, factor: ActivePasskey): SealedCredential {
  const w = factor.webauthn;
  return JSON.parse(Buffer.from(open(keys.sealKey, w.sealed, credentialBinding(tenantId, userId, factor.factorId, w.credentialId))).toString('utf8')) as SealedCredential;
}

/** An active passkey: its credential stored. */
export type ActivePasskey = WebauthnFactorRecord & { webauthn: WebauthnCredentialRecord };

export const activeCredentials = (factors: FactorRecord[]) => factors.filter((f): f is ActivePasskey => f.type === 'webauthn' && f.status === 'active' && f.webauthn !== undefined);

/** Descriptors of the user's credentials (for excludeCredentials / allowCredentials); one that does not open is left out. */
export function descriptors(keys: TenantKeys, tenantId: string, userId: string, factors: FactorRecord[]) {
  const out: { id: string; transports?: string[] }[] = [];
  for (const factor of activeCredentials(factors)) {
    try {
      const { transports } = openCredential(keys, tenantId, userId, factor);
      out.push({ id: factor.webauthn.credentialId, ...(transports.length ? { transports } : {}) });
    } catch (error) {
      if (!(error instanceof SealedDataError)) throw error;
    }
  }
  return out;
}

/** Why a response was refused: each says which check failed, for the 422 message. */
export type CredentialProblem =
  | 'malformed'
  | 'challenge'
  | 'origin'
  | 'rp_id'
  | 'cross_origin'
  | 'already_registered'
  | 'registered_elsewhere'
  | 'user_verification'
  | 'unknown_credential'
  | 'other_user'
  | 'signature'
  | 'counter_regression';

export const credentialProblemMessages: Record<CredentialProblem, string> = {
  malformed: 'The credential is not a WebAuthn response: send credential.toJSON() unchanged.',
  challenge: 'The credential answers another challenge (or an expired one).',
  origin: "The credential was made on an origin that is not in the tenant's webauthn.origins.",
  rp_id: "The credential is for another relying party than the tenant's webauthn.rpId.",
  cross_origin: 'The credential was made inside a frame of another origin (clientData.crossOrigin); run the ceremony on a top-level page.',
  already_registered: 'This authenticator is already registered for the user.',
  registered_elsewhere: 'This authenticator is already registered to another user of this workspace; use another passkey or security key.',
  user_verification: 'The authenticator did not verify the user (PIN or biometric), and the policy requires it.',
  unknown_credential: 'The credential is not one of the active passkeys of this user.',
  other_user: 'The credential belongs to another user.',
  signature: 'The signature does not verify.',
  counter_regression: 'The signature counter went back: the authenticator may have been cloned.',
};

/** A fresh challenge (base64url) for an authentication. */
export const newWebauthnChallenge = (random: Random) => b64(random.bytes(WEBAUTHN_CHALLENGE_BYTES));

/** Request options for the user's active credentials, for a challenge kept on the challenge record. */
export function requestOptionsFor(input: { rp: RelyingParty; keys: TenantKeys; tenantId: string; userId: string; factors: FactorRecord[] }, challenge: string): RequestOptionsJSON {
  return {
    challenge,
    rpId: input.rp.rpId,
    allowCredentials: descriptors(input.keys, input.tenantId, input.userId, input.factors).map((d) => ({ type: 'public-key', ...d })),
    userVerification: input.rp.userVerification,
    timeout: WEBAUTHN_TIMEOUT_SECONDS * 1000,
  };
}

/**
 * What the conditional write that accepts an authentication must do to the credential's factor:
 * move `signCount` from `expectedSignCount` (what was checked against) to `signCount` — refused
 * if another write moved it meanwhile — and, when the backup state changed, put `sealed` in place.
 */
export interface CredentialUse {
  factorId: string;
  expectedSignCount: number;
  signCount: number;
  sealed?: string;
  nowMs: number;
}

export type AuthenticationCheck = { ok: true; use: CredentialUse } | { ok: false; problem: CredentialProblem };

