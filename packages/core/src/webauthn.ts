/**
 * Passkeys and security keys (WebAuthn Level 3, https://www.w3.org/TR/webauthn-3/), verified by
 * @simplewebauthn/server and wrapped in the core's terms: randomness from the Random port, time
 * from the caller, the tenant's relying party from its policy, credentials sealed like TOTP
 * secrets. Nothing here writes: each function returns what the use case's conditional write needs.
 *
 *  - enrolment: `registrationOptions` (the creation options and the challenge to keep on the
 *    pending factor), then `checkRegistration` (the credential to store when the factor turns active);
 *  - login: `requestOptions` (the request options and the challenge to keep on the challenge),
 *    then `checkAuthentication` (the factor and the counter the write must move, or why not).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON as LibraryAuthenticationResponse,
  type AuthenticatorTransport,
  type RegistrationResponseJSON as LibraryRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, Policy, RegistrationResponseJSON } from '@twofold/contract/schemas';
import type { TenantKeys } from './keyring';
import { keyedHash } from './keyring';
import type { Random } from './ports';
import type { FactorRecord, WebauthnCredentialRecord } from './records';
import { open, seal, SealedDataError } from './secret-box';

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
interface SealedCredential {
  /** COSE public key, base64url */
  publicKey: string;
  transports: string[];
  backupEligible: boolean;
  backupState: boolean;
  aaguid: string;
}

export const credentialBinding = (tenantId: string, userId: string, factorId: string, credentialId: string) =>
  ['webauthn-credential', tenantId, userId, factorId, credentialId] as const;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
/** A fresh copy: the library wants an ArrayBuffer-backed array. */
const owned = (bytes: Uint8Array) => new Uint8Array(bytes);

function sealCredential(keys: TenantKeys, random: Random, where: { tenantId: string; userId: string; factorId: string; credentialId: string }, c: SealedCredential) {
  return seal(keys.sealKey, random, Buffer.from(JSON.stringify(c), 'utf8'), credentialBinding(where.tenantId, where.userId, where.factorId, where.credentialId));
}

function openCredential(keys: TenantKeys, tenantId: string, userId: string, factor: FactorRecord): SealedCredential {
  const w = factor.webauthn!;
  return JSON.parse(Buffer.from(open(keys.sealKey, w.sealed, credentialBinding(tenantId, userId, factor.factorId, w.credentialId))).toString('utf8')) as SealedCredential;
}

const activeCredentials = (factors: FactorRecord[]) => factors.filter((f) => f.type === 'webauthn' && f.status === 'active' && f.webauthn !== undefined);

/** Descriptors of the user's credentials (for excludeCredentials / allowCredentials); one that does not open is left out. */
function descriptors(keys: TenantKeys, tenantId: string, userId: string, factors: FactorRecord[]) {
  const out: { id: string; transports?: AuthenticatorTransport[] }[] = [];
  for (const factor of activeCredentials(factors)) {
    try {
      const { transports } = openCredential(keys, tenantId, userId, factor);
      out.push({ id: factor.webauthn!.credentialId, ...(transports.length ? { transports: transports as AuthenticatorTransport[] } : {}) });
    } catch (error) {
      if (!(error instanceof SealedDataError)) throw error;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------- enrolment

export interface RegistrationStart {
  /** PublicKeyCredentialCreationOptionsJSON */
  options: Awaited<ReturnType<typeof generateRegistrationOptions>>;
  /** To keep on the pending factor (`webauthnChallenge`): the response must sign exactly this. */
  challenge: string;
}

/** Creation options: the tenant's rp, the opaque user handle, a fresh challenge, ES256 + RS256, the user's credentials excluded, attestation none. */
export async function registrationOptions(input: {
  rp: RelyingParty;
  random: Random;
  keys: TenantKeys;
  tenantId: string;
  userId: string;
  /** What the browser shows as the account (the user's email, else the userId). */
  userName: string;
  factors: FactorRecord[];
}): Promise<RegistrationStart> {
  const { rp, keys, tenantId, userId } = input;
  const challenge = owned(input.random.bytes(WEBAUTHN_CHALLENGE_BYTES));
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userID: owned(Buffer.from(userHandleOf(keys, tenantId, userId), 'base64url')),
    userName: input.userName,
    userDisplayName: input.userName,
    challenge,
    timeout: WEBAUTHN_TIMEOUT_SECONDS * 1000,
    // no attestation: Twofold trusts no particular make of authenticator, and asks for nothing that identifies it
    attestationType: 'none',
    // WebAuthn §5.4.3: the same authenticator is not registered twice
    excludeCredentials: descriptors(keys, tenantId, userId, input.factors),
    authenticatorSelection: { residentKey: 'preferred', userVerification: rp.userVerification },
    supportedAlgorithmIDs: [...WEBAUTHN_ALGORITHMS],
  });
  return { options, challenge: b64(challenge) };
}

/** Why a response was refused: each says which check failed, for the 422 message. */
export type CredentialProblem =
  | 'malformed'
  | 'challenge'
  | 'origin'
  | 'rp_id'
  | 'already_registered'
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
  already_registered: 'This authenticator is already registered for the user.',
  user_verification: 'The authenticator did not verify the user (PIN or biometric), and the policy requires it.',
  unknown_credential: 'The credential is not one of the active passkeys of this user.',
  other_user: 'The credential belongs to another user.',
  signature: 'The signature does not verify.',
  counter_regression: 'The signature counter went back: the authenticator may have been cloned.',
};

/** What a refusal thrown by the library means: it says so in its message. */
function problemOfLibraryError(error: unknown): CredentialProblem {
  const message = error instanceof Error ? error.message : '';
  if (/challenge/i.test(message)) return 'challenge';
  if (/top origin|origin/i.test(message)) return 'origin';
  if (/RP ID/i.test(message)) return 'rp_id';
  if (/user verification/i.test(message)) return 'user_verification';
  if (/counter/i.test(message)) return 'counter_regression';
  if (/signature/i.test(message)) return 'signature';
  return 'malformed';
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The response in the library's terms, if it has the fields the library reads. */
function asRegistration(r: RegistrationResponseJSON): LibraryRegistrationResponse | undefined {
  if (!isText(r.id) || !r.response || !isText(r.response.clientDataJSON) || !isText(r.response.attestationObject)) return undefined;
  return {
    id: r.id,
    rawId: r.rawId ?? r.id,
    type: 'public-key',
    response: { clientDataJSON: r.response.clientDataJSON, attestationObject: r.response.attestationObject, transports: (r.response.transports ?? []) as AuthenticatorTransport[] },
    clientExtensionResults: {},
  };
}

function asAuthentication(r: AuthenticationResponseJSON): LibraryAuthenticationResponse | undefined {
  const res = r.response;
  if (!isText(r.id) || !res || !isText(res.clientDataJSON) || !isText(res.authenticatorData) || !isText(res.signature)) return undefined;
  return {
    id: r.id,
    rawId: r.rawId ?? r.id,
    type: 'public-key',
    response: { clientDataJSON: res.clientDataJSON, authenticatorData: res.authenticatorData, signature: res.signature, ...(isText(res.userHandle) ? { userHandle: res.userHandle } : {}) },
    clientExtensionResults: {},
  };
}

export type RegistrationCheck = { ok: true; credential: WebauthnCredentialRecord } | { ok: false; problem: CredentialProblem };

/**
 * Checks a registration response against the challenge kept on the pending factor, the tenant's
 * origins and rpId, and user verification where the policy requires it; the credential must not
 * be one the user has already. Returns the credential record to store with the activation.
 */
export async function checkRegistration(input: {
  rp: RelyingParty;
  random: Random;
  keys: TenantKeys;
  tenantId: string;
  userId: string;
  factor: FactorRecord;
  factors: FactorRecord[];
  response: RegistrationResponseJSON;
}): Promise<RegistrationCheck> {
  const { rp, keys, tenantId, userId, factor } = input;
  const response = asRegistration(input.response);
  if (!response) return { ok: false, problem: 'malformed' };
  if (!factor.webauthnChallenge) return { ok: false, problem: 'challenge' };
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: factor.webauthnChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
      supportedAlgorithmIDs: [...WEBAUTHN_ALGORITHMS],
    });
  } catch (error) {
    return { ok: false, problem: problemOfLibraryError(error) };
  }
  if (!verified.verified) return { ok: false, problem: 'signature' };
  const info = verified.registrationInfo;
  const credentialId = info.credential.id;
  if (input.factors.some((f) => f.webauthn?.credentialId === credentialId)) return { ok: false, problem: 'already_registered' };
  const sealed = sealCredential(keys, input.random, { tenantId, userId, factorId: factor.factorId, credentialId }, {
    publicKey: b64(info.credential.publicKey),
    transports: info.credential.transports ?? response.response.transports ?? [],
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backupState: info.credentialBackedUp,
    aaguid: info.aaguid,
  });
  return { ok: true, credential: { credentialId, userHandle: userHandleOf(keys, tenantId, userId), signCount: info.credential.counter, sealed } };
}

// ------------------------------------------------------------------------------- login

export interface AuthenticationStart {
  /** PublicKeyCredentialRequestOptionsJSON */
  options: Awaited<ReturnType<typeof generateAuthenticationOptions>>;
  /** To keep on the challenge (`webauthnChallenge`). */
  challenge: string;
}

/** Request options for the user's active credentials, with a fresh challenge. */
export async function requestOptions(input: { rp: RelyingParty; random: Random; keys: TenantKeys; tenantId: string; userId: string; factors: FactorRecord[] }): Promise<AuthenticationStart> {
  const challenge = owned(input.random.bytes(WEBAUTHN_CHALLENGE_BYTES));
  return { options: await requestOptionsFor(input, b64(challenge)), challenge: b64(challenge) };
}

/** The request options again for a challenge kept already (a switch to webauthn on resend). */
export function requestOptionsFor(input: { rp: RelyingParty; keys: TenantKeys; tenantId: string; userId: string; factors: FactorRecord[] }, challenge: string) {
  return generateAuthenticationOptions({
    rpID: input.rp.rpId,
    challenge: owned(Buffer.from(challenge, 'base64url')),
    allowCredentials: descriptors(input.keys, input.tenantId, input.userId, input.factors),
    userVerification: input.rp.userVerification,
    timeout: WEBAUTHN_TIMEOUT_SECONDS * 1000,
  });
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

/**
 * Checks an authentication response: one of this user's active credentials (by id, and by user
 * handle when the authenticator sends one), signed over the challenge kept on the challenge, from
 * one of the tenant's origins for its rpId, with user verification where the policy requires it,
 * and a signature counter that went forward (counters that stay 0 are not checked: WebAuthn §6.1.1).
 */
export async function checkAuthentication(input: {
  rp: RelyingParty;
  random: Random;
  keys: TenantKeys;
  tenantId: string;
  userId: string;
  expectedChallenge: string;
  factors: FactorRecord[];
  response: AuthenticationResponseJSON;
  nowMs: number;
}): Promise<AuthenticationCheck> {
  const { rp, keys, tenantId, userId } = input;
  const response = asAuthentication(input.response);
  if (!response) return { ok: false, problem: 'malformed' };
  const factor = activeCredentials(input.factors).find((f) => f.webauthn!.credentialId === response.id);
  if (!factor) return { ok: false, problem: 'unknown_credential' };
  const stored = factor.webauthn!;
  // a discoverable credential names its user: one made for another user handle is not this user's
  if (response.response.userHandle !== undefined && response.response.userHandle !== stored.userHandle) return { ok: false, problem: 'other_user' };
  let sealed: SealedCredential;
  try {
    sealed = openCredential(keys, tenantId, userId, factor);
  } catch (error) {
    // a credential moved here from another user's record does not open for this one
    if (error instanceof SealedDataError) return { ok: false, problem: 'other_user' };
    throw error;
  }
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: { id: stored.credentialId, publicKey: owned(Buffer.from(sealed.publicKey, 'base64url')), counter: stored.signCount, transports: sealed.transports as AuthenticatorTransport[] },
      requireUserVerification: rp.userVerification === 'required',
    });
  } catch (error) {
    return { ok: false, problem: problemOfLibraryError(error) };
  }
  if (!verified.verified) return { ok: false, problem: 'signature' };
  const { newCounter, credentialBackedUp } = verified.authenticationInfo;
  const use: CredentialUse = { factorId: factor.factorId, expectedSignCount: stored.signCount, signCount: newCounter, nowMs: input.nowMs };
  if (credentialBackedUp !== sealed.backupState) {
    use.sealed = sealCredential(keys, input.random, { tenantId, userId, factorId: factor.factorId, credentialId: stored.credentialId }, { ...sealed, backupState: credentialBackedUp });
  }
  return { ok: true, use };
}
