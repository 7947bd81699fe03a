/**
 * Passkeys and security keys (WebAuthn Level 3, https://www.w3.org/TR/webauthn-3/), verified by
 * @simplewebauthn/server and wrapped in the core's terms: randomness from the Random port, time
 * from the caller, the tenant's relying party from its policy, credentials sealed like TOTP
 * secrets. Nothing here writes: each function returns what the use case's conditional write needs.
 *
 *  - enrolment: `registrationOptions` (the creation options and the challenge to keep on the
 *    pending factor), then `checkRegistration` (the credential to store when the factor turns active);
 *  - login: `newWebauthnChallenge` and `requestOptionsFor` (webauthn-relying-party.ts: the
 *    challenge to keep on the challenge and the request options), then `checkAuthentication` (the counter the write must move, or why not).
 *
 * Only this module imports the library (with its certificate and ASN.1 dependencies, ~290 KB
 * minified): the rest of the core reaches it through the two use-case modules that need it.
 */
import {
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON as LibraryAuthenticationResponse,
  type AuthenticatorTransport,
  type RegistrationResponseJSON as LibraryRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@twofold/contract/schemas';
import type { TenantKeys } from '../../keyring';
import type { Random } from '../../ports';
import type { FactorRecord, WebauthnCredentialRecord, WebauthnFactorRecord } from '../../records';
import { SealedDataError } from '../../secret-box';
import {
  activeCredentials,
  b64,
  descriptors,
  openCredential,
  sealCredential,
  userHandleOf,
  WEBAUTHN_ALGORITHMS,
  WEBAUTHN_CHALLENGE_BYTES,
  WEBAUTHN_TIMEOUT_SECONDS,
  type AuthenticationCheck,
  type CredentialProblem,
  type CredentialUse,
  type RelyingParty,
  type SealedCredential,
} from './webauthn-relying-party';

/** A fresh copy: the library wants an ArrayBuffer-backed array. */
const owned = (bytes: Uint8Array) => new Uint8Array(bytes);

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
    excludeCredentials: descriptors(keys, tenantId, userId, input.factors) as { id: string; transports?: AuthenticatorTransport[] }[],
    authenticatorSelection: { residentKey: 'preferred', userVerification: rp.userVerification },
    supportedAlgorithmIDs: [...WEBAUTHN_ALGORITHMS],
  });
  return { options, challenge: b64(challenge) };
}

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

/**
 * Whether the ceremony ran in a frame of another origin (clientData.crossOrigin, WebAuthn §5.8.1):
 * the tenant's pages are never framed, so a response made inside someone else's frame is refused.
 */
function crossOrigin(clientDataJSON: string): boolean {
  try {
    return (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { crossOrigin?: unknown }).crossOrigin === true;
  } catch {
    // not JSON: the library refuses it as malformed
    return false;
  }
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
  factor: WebauthnFactorRecord;
  factors: FactorRecord[];
  response: RegistrationResponseJSON;
}): Promise<RegistrationCheck> {
  const { rp, keys, tenantId, userId, factor } = input;
  const response = asRegistration(input.response);
  if (!response) return { ok: false, problem: 'malformed' };
  if (!factor.webauthnChallenge) return { ok: false, problem: 'challenge' };
  if (crossOrigin(response.response.clientDataJSON)) return { ok: false, problem: 'cross_origin' };
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
  if (input.factors.some((f) => f.type === 'webauthn' && f.webauthn?.credentialId === credentialId)) return { ok: false, problem: 'already_registered' };
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
  if (crossOrigin(response.response.clientDataJSON)) return { ok: false, problem: 'cross_origin' };
  const factor = activeCredentials(input.factors).find((f) => f.webauthn.credentialId === response.id);
  const stored = factor?.webauthn;
  if (!factor || !stored) return { ok: false, problem: 'unknown_credential' };
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
      credential: { id: stored.credentialId, publicKey: owned(Buffer.from(sealed.publicKey, 'base64url')), counter: stored.signCount },
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
