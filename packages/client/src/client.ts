/**
 * The Twofold client: one method per operation of the API (named by its operationId), typed
 * from the OpenAPI document (api-types.ts, generated), on openapi-fetch. A method resolves to
 * the answer's body, or rejects with a TwofoldError carrying the API's error code.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './api-types.js';
import { TwofoldError } from './errors.js';
import { retryingFetch, type Fetch, type RetryOptions } from './retry.js';

type Schemas = components['schemas'];
type JsonBody<K extends keyof operations> = operations[K] extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type Query<K extends keyof operations> = operations[K] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type User = Schemas['User'];
export type Factor = Schemas['Factor'];
export type PutUserBody = Schemas['PutUserBody'];
export type CreateFactorBody = Schemas['CreateFactorBody'];
export type FactorEnrollment = Schemas['FactorEnrollment'];
export type TotpEnrollment = Schemas['TotpEnrollment'];
export type OtpEnrollment = Schemas['OtpEnrollment'];
/** A passkey or security key being enrolled: give `options` to the browser. */
export type WebauthnEnrollment = Schemas['WebauthnEnrollment'];
/** verifyFactor's body: `{ code }`, or for webauthn `{ credential }` (the browser's credential.toJSON()). */
export type ConfirmFactorBody = Schemas['ConfirmFactorBody'];
export type FactorVerified = Schemas['FactorVerified'];
export type FactorList = Schemas['FactorList'];
export type RecoveryCodes = Schemas['RecoveryCodes'];
export type RecoveryCodesRemaining = Schemas['RecoveryCodesRemaining'];
export type CreateChallengeBody = Schemas['CreateChallengeBody'];
export type ChallengeCreated = Schemas['ChallengeCreated'];
export type Challenge = Schemas['Challenge'];
export type ResendBody = Schemas['ResendBody'];
export type ChallengeResent = Schemas['ChallengeResent'];
export type VerifyChallengeBody = Schemas['VerifyChallengeBody'];
export type ChallengeVerified = Schemas['ChallengeVerified'];
export type DeviceList = Schemas['DeviceList'];
export type Device = DeviceList['devices'][number];
export type Policy = Schemas['Policy'];
/** The policy as sent to putPolicy: a field left out takes its default. */
export type PolicyInput = Schemas['PolicyReplacement'];
/**
 * A JSON merge patch (RFC 7396) of `T`: every field optional, `null` removes it (it takes its
 * default again); objects merge field by field, arrays are replaced whole.
 */
export type MergePatch<T> = { [K in keyof T]?: (NonNullable<T[K]> extends readonly unknown[] ? T[K] : NonNullable<T[K]> extends object ? MergePatch<NonNullable<T[K]>> : T[K]) | null };
/** What patchPolicy sends: only the fields to change. */
export type PolicyPatch = MergePatch<PolicyInput>;
export type ApiKeySummary = Schemas['ApiKeySummary'];
export type ApiKeyList = Schemas['ApiKeyList'];
export type CreateApiKeyBody = JsonBody<'createApiKey'>;
/** A new API key: `key` is in this answer only. */
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type ImportBody = JsonBody<'importUsers'>;
/** How an import went: counts, and each user not imported with its index and why. */
export type ImportResult = Schemas['ImportResult'];
export type AdminUserList = Schemas['AdminUserList'];
export type Overview = Schemas['Overview'];
export type AuditEvent = Schemas['AuditEvent'];
export type AuditList = Schemas['AuditList'];
export type Jwks = Schemas['JWKS'];
export type PromptToken = Schemas['PromptToken'];
/** What createPrompt takes: the PKCE pair and the state are made for you. */
export type CreatePromptInput = Omit<Schemas['CreatePromptBody'], 'state' | 'codeChallenge' | 'codeChallengeMethod'>;
/**
 * A started prompt: send the browser to `url`; keep `state` and `codeVerifier` in the user's
 * session (server side) for exchangePromptCode.
 */
export type StartedPrompt = Schemas['PromptCreated'] & { state: string; codeVerifier: string };
/** The prompt came back without a code: `access_denied` (the user cancelled) or `locked` (too many wrong codes). */
export class PromptRefused extends Error {
  override name = 'PromptRefused';
  constructor(readonly error: string) {
    super(`The hosted prompt came back with error=${error}`);
  }
}
export type Method = ChallengeCreated['methods'][number];
export type FactorType = Factor['type'];
export type ListUsersQuery = Query<'listUsers'>;
export type AuditQuery = Query<'audit'>;

export interface TwofoldClientOptions {
  /** The API's base URL: `local.json`'s baseUrl for `npm start`, the stack's ApiUrl output in AWS. */
  baseUrl: string;
  /** A tenant's API key (`tf_…`): app scope for the login and settings calls, admin for policy and admin calls. */
  apiKey: string;
  /**
   * Retry 5xx, 429 with a short Retry-After, and network failures, with exponential backoff
   * (`true` for the defaults). Only GET, PUT, DELETE and POSTs with an Idempotency-Key are
   * repeated; with retries on, the client gives challenge creation and resend a key of its own
   * when the call gives none.
   */
  retry?: boolean | RetryOptions;
  /** Another fetch (tests, instrumentation); globalThis.fetch by default. */
  fetch?: Fetch;
  /** Headers sent with every call, e.g. a User-Agent of your app. */
  headers?: Record<string, string>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** For calls that need (or show more with) a fresh verification of the user. */
export interface FreshCallOptions extends CallOptions {
  /** The `assertion` of a challenge the user verified recently, sent as Twofold-Assertion (not needed with an admin key). */
  assertion?: string;
}

/** For calls that send a code: a retry with the same key sends no second one. */
export interface KeyedCallOptions extends CallOptions {
  idempotencyKey?: string;
}

export interface StartChallengeOptions extends KeyedCallOptions, CreateChallengeBody {}

type Result<T> = { data?: T; error?: unknown; response: Response };

export class TwofoldClient {
  /**
   * The openapi-fetch client underneath, with the key, headers and retries of this one: every
   * path typed, answering `{ data, error, response }` instead of throwing.
   */
  readonly raw: Client<paths>;
  readonly #autoIdempotencyKey: boolean;

  constructor(options: TwofoldClientOptions) {
    if (!options.baseUrl) throw new TypeError('createTwofoldClient: baseUrl is required');
    if (!options.apiKey) throw new TypeError('createTwofoldClient: apiKey is required');
    const fetchOnce: Fetch = options.fetch ?? ((request) => globalThis.fetch(request));
    const retry = options.retry === true ? {} : options.retry || undefined;
    this.#autoIdempotencyKey = retry !== undefined;
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: retry ? retryingFetch(fetchOnce, retry) : fetchOnce,
      headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
    });
  }

  // ---- the login step -------------------------------------------------------------------

  /**
   * Starts the login step, after the password checked out: `required: false` means sign the
   * user in; otherwise ask for a code by `method` and answer with verifyChallenge.
   */
  startChallenge(userId: string, options: StartChallengeOptions = {}): Promise<ChallengeCreated> {
    const { idempotencyKey, signal, ...body } = options;
    return this.createChallenge(userId, body, { ...(idempotencyKey ? { idempotencyKey } : {}), ...(signal ? { signal } : {}) });
  }

  createChallenge(userId: string, body: CreateChallengeBody = {}, options: KeyedCallOptions = {}): Promise<ChallengeCreated> {
    return this.#call(this.raw.POST('/v1/users/{userId}/challenges', { params: { path: { userId }, header: this.#keyed(options) }, body, ...signalOf(options) }));
  }

  /** Answers a challenge with `{ code }`, `{ recoveryCode }` or, for webauthn, `{ credential }` (and `rememberDevice` for a deviceToken). */
  verifyChallenge(challengeId: string, answer: VerifyChallengeBody, options: CallOptions = {}): Promise<ChallengeVerified> {
    return this.#call(this.raw.POST('/v1/challenges/{challengeId}/verify', { params: { path: { challengeId } }, body: answer, ...signalOf(options) }));
  }

  getChallenge(challengeId: string, options: CallOptions = {}): Promise<Challenge> {
    return this.#call(this.raw.GET('/v1/challenges/{challengeId}', { params: { path: { challengeId } }, ...signalOf(options) }));
  }

  /** Sends a new code (sms, email), or switches the challenge to another of the user's methods. */
  resendChallenge(challengeId: string, body: ResendBody = {}, options: KeyedCallOptions = {}): Promise<ChallengeResent> {
    return this.#call(this.raw.POST('/v1/challenges/{challengeId}/resend', { params: { path: { challengeId }, header: this.#keyed(options) }, body, ...signalOf(options) }));
  }

  // ---- users, factors, recovery codes -----------------------------------------------------

  putUser(userId: string, body: PutUserBody, options: CallOptions = {}): Promise<User> {
    return this.#call(this.raw.PUT('/v1/users/{userId}', { params: { path: { userId } }, body, ...signalOf(options) }));
  }

  getUser(userId: string, options: CallOptions = {}): Promise<User> {
    return this.#call(this.raw.GET('/v1/users/{userId}', { params: { path: { userId } }, ...signalOf(options) }));
  }

  /** Erases the user and everything of theirs (factors, recovery codes, devices, audit entries; one user.deleted event stays). */
  deleteUser(userId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/users/{userId}', { params: { path: { userId } }, ...signalOf(options) }));
  }

  /** Turns two-factor off: every factor, recovery code and remembered device goes. Needs a fresh verification with an app key. */
  disableTwoFactor(userId: string, options: FreshCallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/users/{userId}/two-factor', { params: { path: { userId }, header: freshOf(options) }, ...signalOf(options) }));
  }

  /** Starts enrolling a factor: a TOTP secret with its QR code, a code sent by SMS or email, or a passkey's creation options. */
  createFactor(userId: string, body: CreateFactorBody, options: CallOptions = {}): Promise<FactorEnrollment> {
    return this.#call(this.raw.POST('/v1/users/{userId}/factors', { params: { path: { userId } }, body, ...signalOf(options) }));
  }

  listFactors(userId: string, options: CallOptions = {}): Promise<FactorList> {
    return this.#call(this.raw.GET('/v1/users/{userId}/factors', { params: { path: { userId } }, ...signalOf(options) }));
  }

  /** Confirms a pending factor with a code (or a passkey's credential); the user's first active factor comes with their recovery codes. */
  verifyFactor(userId: string, factorId: string, body: ConfirmFactorBody, options: CallOptions = {}): Promise<FactorVerified> {
    return this.#call(this.raw.POST('/v1/users/{userId}/factors/{factorId}/verify', { params: { path: { userId, factorId } }, body, ...signalOf(options) }));
  }

  /** Removes a factor. Needs a fresh verification with an app key. */
  deleteFactor(userId: string, factorId: string, options: FreshCallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/users/{userId}/factors/{factorId}', { params: { path: { userId, factorId }, header: freshOf(options) }, ...signalOf(options) }));
  }

  /** How many recovery codes are left; with a fresh verification, which. */
  getRecoveryCodes(userId: string, options: FreshCallOptions = {}): Promise<RecoveryCodesRemaining> {
    return this.#call(this.raw.GET('/v1/users/{userId}/recovery-codes', { params: { path: { userId }, header: freshOf(options) }, ...signalOf(options) }));
  }

  /** A new set of recovery codes; the earlier ones stop working. Needs a fresh verification with an app key. */
  regenerateRecoveryCodes(userId: string, options: FreshCallOptions = {}): Promise<RecoveryCodes> {
    return this.#call(this.raw.POST('/v1/users/{userId}/recovery-codes', { params: { path: { userId }, header: freshOf(options) }, ...signalOf(options) }));
  }

  // ---- trusted devices --------------------------------------------------------------------

  listDevices(userId: string, options: CallOptions = {}): Promise<DeviceList> {
    return this.#call(this.raw.GET('/v1/users/{userId}/devices', { params: { path: { userId } }, ...signalOf(options) }));
  }

  revokeDevice(userId: string, deviceId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/users/{userId}/devices/{deviceId}', { params: { path: { userId, deviceId } }, ...signalOf(options) }));
  }

  revokeAllDevices(userId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/users/{userId}/devices', { params: { path: { userId } }, ...signalOf(options) }));
  }

  // ---- policy (put, patch: admin key) -----------------------------------------------------

  getPolicy(options: CallOptions = {}): Promise<Policy> {
    return this.#call(this.raw.GET('/v1/policy', { ...signalOf(options) }));
  }

  /** Replaces the policy (fields left out take their defaults). Admin key. */
  putPolicy(policy: PolicyInput, options: CallOptions = {}): Promise<Policy> {
    return this.#call(this.raw.PUT('/v1/policy', { body: policy, ...signalOf(options) }));
  }

  /**
   * Changes only the fields sent (a JSON merge patch, sent as application/merge-patch+json):
   * `null` resets a field to its default, objects merge, arrays are replaced. Admin key.
   */
  patchPolicy(patch: PolicyPatch, options: CallOptions = {}): Promise<Policy> {
    return this.#call(
      this.raw.PATCH('/v1/policy', {
        body: patch as JsonBody<'patchPolicy'>,
        headers: { 'content-type': 'application/merge-patch+json' },
        ...signalOf(options),
      }),
    );
  }

  // ---- admin (admin key) ------------------------------------------------------------------

  listUsers(query: ListUsersQuery = {}, options: CallOptions = {}): Promise<AdminUserList> {
    return this.#call(this.raw.GET('/v1/admin/users', { params: { query }, ...signalOf(options) }));
  }

  unlockUser(userId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.POST('/v1/admin/users/{userId}/unlock', { params: { path: { userId } }, ...signalOf(options) }));
  }

  resetUser(userId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.POST('/v1/admin/users/{userId}/reset', { params: { path: { userId } }, ...signalOf(options) }));
  }

  adminRegenerateRecoveryCodes(userId: string, options: CallOptions = {}): Promise<RecoveryCodes> {
    return this.#call(this.raw.POST('/v1/admin/users/{userId}/recovery-codes', { params: { path: { userId } }, ...signalOf(options) }));
  }

  overview(options: CallOptions = {}): Promise<Overview> {
    return this.#call(this.raw.GET('/v1/admin/overview', { ...signalOf(options) }));
  }

  audit(query: AuditQuery = {}, options: CallOptions = {}): Promise<AuditList> {
    return this.#call(this.raw.GET('/v1/admin/audit', { params: { query }, ...signalOf(options) }));
  }

  // ---- API keys (admin key) ---------------------------------------------------------------

  /** The tenant's API keys (never a key itself). */
  listApiKeys(options: CallOptions = {}): Promise<ApiKeyList> {
    return this.#call(this.raw.GET('/v1/admin/api-keys', { ...signalOf(options) }));
  }

  /** A new API key of scope app or admin; store `key` now, it is shown only here. */
  createApiKey(body: CreateApiKeyBody, options: CallOptions = {}): Promise<CreatedApiKey> {
    return this.#call(this.raw.POST('/v1/admin/api-keys', { body, ...signalOf(options) }));
  }

  /** Revokes an API key (not the tenant's last admin key: 409 last_admin_key). */
  revokeApiKey(keyId: string, options: CallOptions = {}): Promise<void> {
    return this.#done(this.raw.DELETE('/v1/admin/api-keys/{keyId}', { params: { path: { keyId } }, ...signalOf(options) }));
  }

  // ---- imports (admin key) ----------------------------------------------------------------

  /** Imports up to 1,000 users with the factors they already use elsewhere; a repeat is `unchanged`. */
  importUsers(body: ImportBody, options: CallOptions = {}): Promise<ImportResult> {
    return this.#call(this.raw.POST('/v1/admin/imports', { body, ...signalOf(options) }));
  }

  // ---- the service (no key needed) --------------------------------------------------------

  health(options: CallOptions = {}): Promise<Schemas['Health']> {
    return this.#call(this.raw.GET('/health', { ...signalOf(options) }));
  }

  /** The keys that check a verified challenge's `assertion` (a JWT, ES256). */
  jwks(options: CallOptions = {}): Promise<Jwks> {
    return this.#call(this.raw.GET('/.well-known/jwks.json', { ...signalOf(options) }));
  }

  /** The API's OpenAPI 3.1 document. */
  openapi(options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#call(this.raw.GET('/openapi.json', { ...signalOf(options) }));
  }

  // ---- the hosted prompt (OAuth 2.0 authorization code with PKCE: RFC 7636) ---------------

  /**
   * Starts a hosted prompt: makes the state and the PKCE verifier (RFC 7636 §4.1: 32 random bytes,
   * base64url) and sends only the verifier's SHA-256. Redirect the browser to `url`.
   */
  async createPrompt(input: CreatePromptInput, options: CallOptions = {}): Promise<StartedPrompt> {
    const codeVerifier = randomUrlSafe(32);
    const state = randomUrlSafe(16);
    const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
    const codeChallenge = base64url(new Uint8Array(digest));
    const created: Schemas['PromptCreated'] = await this.#call(this.raw.POST('/v1/prompts', { body: { ...input, state, codeChallenge, codeChallengeMethod: 'S256' }, ...signalOf(options) }));
    return { ...created, state, codeVerifier };
  }

  /**
   * Finishes a prompt at the redirect URI: checks `state` against the one the session kept
   * (RFC 6749 §10.12: a mismatch is refused before anything is sent), turns `error` into a
   * PromptRefused, and exchanges the code with the verifier for the signed assertion.
   */
  async exchangePromptCode(callback: URL | URLSearchParams | string, pending: Pick<StartedPrompt, 'state' | 'codeVerifier'>, options: CallOptions = {}): Promise<PromptToken> {
    const params = callback instanceof URLSearchParams ? callback : new URL(String(callback), 'http://callback.invalid').searchParams;
    if (params.get('state') !== pending.state) throw new TwofoldError({ code: 'invalid_grant', status: 400, message: 'The state on the redirect is not the one this session started the prompt with.' });
    const error = params.get('error');
    if (error !== null) throw new PromptRefused(error);
    const code = params.get('code') ?? '';
    return this.#call(this.raw.POST('/v1/prompts/token', { body: { code, codeVerifier: pending.codeVerifier }, ...signalOf(options) }));
  }

  // ---- plumbing ---------------------------------------------------------------------------

  async #call<T>(pending: Promise<Result<T>>): Promise<T> {
    const { data, error, response } = await pending;
    if (!response.ok) throw TwofoldError.fromResponse(response, error);
    return data as T;
  }

  async #done(pending: Promise<Result<unknown>>): Promise<void> {
    await this.#call(pending);
  }

  #keyed(options: KeyedCallOptions): { 'Idempotency-Key'?: string } {
    const key = options.idempotencyKey ?? (this.#autoIdempotencyKey ? globalThis.crypto.randomUUID() : undefined);
    return key ? { 'Idempotency-Key': key } : {};
  }
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomUrlSafe = (length: number) => base64url(globalThis.crypto.getRandomValues(new Uint8Array(length)));

const signalOf = (options: CallOptions) => (options.signal ? { signal: options.signal } : {});
const freshOf = (options: FreshCallOptions): { 'Twofold-Assertion'?: string } => (options.assertion ? { 'Twofold-Assertion': options.assertion } : {});

/** `createTwofoldClient({ baseUrl, apiKey, retry? })`: the client a client app calls Twofold with. */
export const createTwofoldClient = (options: TwofoldClientOptions): TwofoldClient => new TwofoldClient(options);
