/**
 * The hosted prompt: Twofold's own pages run the second step for a client app, as OAuth 2.0's
 * authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636). The app starts a prompt with its
 * key, the browser goes through the pages, comes back to the app's registered redirect URI with
 * a one-time code, and the app exchanges the code and its verifier for the signed assertion.
 *
 * The pages are one more client of the same use cases: challenges (createChallenge,
 * resendChallenge), verification (verifyChallenge), enrollment (startFactorEnrollment,
 * confirmFactor) with its recovery codes, and remembered devices. This module keeps only what
 * is the prompt's own: its record, the browser it is bound to, the steps in order, and the code.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  ChallengeVerified,
  CreatePromptBody,
  FactorType,
  Method,
  PromptCreated,
  PromptForm,
  PromptLocale,
  PromptToken,
  PromptTokenBody,
  RequestOptionsJSON,
} from '@twofold/contract/schemas';
import { OtpCode } from '@twofold/contract/schemas';
import { acrOf } from './assertions';
import { createChallenge, rememberedDevicesSkipTheCode, resendChallenge, usableMethods } from './challenges';
import type { CoreDeps } from '../deps';
import { confirmFactor, startFactorEnrollment } from '../users/enrollment';
import { enforcementOf } from '../users/enforcement';
import { removeFactor } from '../factors/factor-removal';
import { regenerateRecoveryCodes } from '../factors/recovery/recovery-code-sets';
import { DomainError, fail } from '../errors';
import type { PromptRecord, PromptStatus, TenantRecord } from '../records';
import { open, seal } from '../secret-box';
import { verifyChallenge, type VerifyDeps } from './verification';
import { webauthnOptionsFor } from '../factors/webauthn/webauthn-login';

/** A code works this long after the redirect (RFC 6749 §4.1.2 recommends at most 10 minutes; the app is one server call away). */
export const PROMPT_CODE_SECONDS = 60;

export type PromptDeps = VerifyDeps & Pick<CoreDeps, 'prompts' | 'devices' | 'keyRing' | 'throttle' | 'sendLimits' | 'sms' | 'email'>;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const randomToken = (deps: Pick<CoreDeps, 'random'>, bytes = 32) => Buffer.from(deps.random.bytes(bytes)).toString('base64url');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const iso = (ms: number) => new Date(ms).toISOString();

/** A prompt id: 128 random bits, then the tenant's id (base64url), so that the pages find the tenant from the URL alone. */
function newPromptId(deps: Pick<CoreDeps, 'random'>, tenantId: string): string {
  return `pr_${randomToken(deps, 16)}.${Buffer.from(tenantId, 'utf8').toString('base64url')}`;
}

/** The tenant of a prompt id; undefined for an id this service did not make. */
export function tenantOfPrompt(promptId: string): string | undefined {
  const encoded = /^pr_[A-Za-z0-9_-]{22}\.([A-Za-z0-9_-]+)$/.exec(promptId)?.[1];
  if (!encoded) return undefined;
  const tenantId = Buffer.from(encoded, 'base64url').toString('utf8');
  return Buffer.from(tenantId, 'utf8').toString('base64url') === encoded ? tenantId : undefined;
}

const resultBinding = (p: Pick<PromptRecord, 'tenantId' | 'promptId'>) => ['prompt-result', p.tenantId, p.promptId] as const;
const setupBinding = (p: Pick<PromptRecord, 'tenantId' | 'promptId'>) => ['prompt-setup', p.tenantId, p.promptId] as const;

/** The languages of the pages: a tag like fr-CA counts as fr. */
export const promptLocales: readonly PromptLocale[] = ['en', 'fr', 'de', 'es'];
export function promptLocaleOf(tag: string | undefined): PromptLocale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return promptLocales.find((l) => l === language);
}

/** The nonce the prompt's assertions carry: BASE64URL(SHA-256(state)), so that the app can tie the assertion to the attempt it started. */
export const promptNonce = (state: string) => sha256(state);
/** The audience the prompt's assertions carry: the redirect URI's origin. */
export const promptAudience = (redirectUri: string) => new URL(redirectUri).origin;

// ---------------------------------------------------------------- the app's server: start, exchange

export async function createPrompt(deps: Pick<CoreDeps, 'clock' | 'random' | 'tenant' | 'prompts'>, tenantId: string, body: CreatePromptBody, origin: string): Promise<PromptCreated> {
  const now = deps.clock.nowMs();
  const tenant = await deps.tenant(tenantId);
  // exact match (RFC 6749 §3.1.2.2, OAuth 2.0 Security BCP §4.1.3): no prefix, no wildcard
  if (!tenant.policy.hostedPrompt.redirectUris.includes(body.redirectUri)) {
    fail('invalid_redirect_uri', "The redirect URI is not one of the policy's hostedPrompt.redirectUris (compared exactly).");
  }
  const locale = body.locale === undefined ? undefined : promptLocaleOf(body.locale);
  const prompt: PromptRecord = {
    promptId: newPromptId(deps, tenantId),
    tenantId,
    userId: body.userId,
    purpose: body.purpose,
    redirectUri: body.redirectUri,
    state: body.state,
    codeChallenge: body.codeChallenge,
    ...(body.acr ? { acr: body.acr } : {}),
    ...(locale ? { locale } : {}),
    createdAtMs: now,
    expiresAtMs: now + tenant.policy.codeTimeoutSeconds * 1000,
    status: 'open',
    csrf: randomToken(deps),
  };
  await deps.prompts.create(prompt);
  return { promptId: prompt.promptId, url: `${origin}/prompt/${prompt.promptId}`, expiresAt: iso(prompt.expiresAtMs) };
}

/**
 * Exchanges a code: of the tenant that made it, with the verifier whose hash the prompt was
 * started with (RFC 7636 §4.6), once, within PROMPT_CODE_SECONDS. Every refusal is the same
 * `invalid_grant` (RFC 6749 §5.2), so that a caller learns nothing of which check failed.
 */
export async function exchangePromptCode(deps: Pick<CoreDeps, 'clock' | 'tenant' | 'prompts' | 'keyRing'>, tenantId: string, body: PromptTokenBody): Promise<PromptToken> {
  const now = deps.clock.nowMs();
  const dot = body.code.lastIndexOf('.');
  const promptId = body.code.slice(0, dot);
  const secret = body.code.slice(dot + 1);
  // another tenant's code is refused before anything is read
  if (dot < 0 || !secret || tenantOfPrompt(promptId) !== tenantId) return fail('invalid_grant');
  const prompt = await deps.prompts.get(tenantId, promptId);
  if (!prompt || !sameText(sha256(body.codeVerifier), prompt.codeChallenge)) return fail('invalid_grant');
  const spent = await deps.prompts.exchange(tenantId, promptId, { codeHash: sha256(secret), nowMs: now });
  if (!spent?.sealedResult) return fail('invalid_grant');
  const keys = await deps.keyRing.keysFor(await deps.tenant(tenantId));
  return JSON.parse(Buffer.from(open(keys.sealKey, spent.sealedResult, resultBinding(spent))).toString('utf8')) as PromptToken;
}

// ---------------------------------------------------------------- the browser: the pages

/** Who is on the page: the browser's cookies and what the login step records of it. */
export interface PromptVisitor {
  /** The secret of the cookie this prompt set in this browser, if any. */
  browserSecret: string | undefined;
  /** The remembered-device token of this browser for this user, if any. */
  deviceToken: string | undefined;
  ip?: string;
  userAgent?: string;
  /** The browser's language (Accept-Language's first), when the prompt names none. */
  acceptLocale: PromptLocale | undefined;
}

export interface OpenedPrompt {
  prompt: PromptRecord;
  tenant: TenantRecord;
  locale: PromptLocale;
  /** A new cookie secret to set: the prompt was bound to this browser now. */
  bindSecret?: string;
}

/**
 * Opens a prompt for a browser: the first browser to open it is the only one that may go on
 * (the URL alone does not let another browser finish someone's sign-in).
 */
export async function openPrompt(deps: Pick<CoreDeps, 'clock' | 'random' | 'tenant' | 'prompts'>, promptId: string, visitor: PromptVisitor): Promise<OpenedPrompt> {
  const tenantId = tenantOfPrompt(promptId) ?? fail('prompt_not_found');
  const prompt = (await deps.prompts.get(tenantId, promptId)) ?? fail('prompt_not_found');
  const tenant = await deps.tenant(tenantId);
  const locale = prompt.locale ?? visitor.acceptLocale ?? 'en';
  if (deps.clock.nowMs() >= prompt.expiresAtMs && prompt.status === 'open') fail('prompt_expired');
  const bound = prompt.browserHash;
  if (bound === undefined) {
    const secret = randomToken(deps);
    if (await deps.prompts.bind(tenantId, promptId, sha256(secret))) return { prompt: { ...prompt, browserHash: sha256(secret) }, tenant, locale, bindSecret: secret };
    return fail('prompt_not_found', 'This prompt was opened in another browser.');
  }
  if (!visitor.browserSecret || !sameText(sha256(visitor.browserSecret), bound)) fail('prompt_not_found', 'This prompt was opened in another browser.');
  return { prompt, tenant, locale };
}

/** What the page shows next. */
export type PromptScreen =
  | { kind: 'code'; method: 'totp' | 'sms' | 'email'; destination?: string; alternatives: Method[]; remember: boolean; smsNotice?: SmsNotice; error?: PromptProblem }
  | { kind: 'recovery'; alternatives: Method[]; remember: boolean; error?: PromptProblem }
  | { kind: 'passkey'; options?: RequestOptionsJSON; autostart: boolean; alternatives: Method[]; remember: boolean; error?: PromptProblem }
  | { kind: 'grace'; graceEndsAt: string; daysLeft: number }
  | { kind: 'setup'; qrCode: string; secretGroups: string[]; daysLeft?: number; required: boolean; skippable: boolean; error?: PromptProblem }
  | { kind: 'codes'; codes: string[]; next?: 'manage' }
  | { kind: 'manage'; factors: { factorId: string; type: FactorType; label: string; addedAt: string }[]; canAdd: boolean; smsRestricted: boolean; recoveryCodesRemaining: number; error?: PromptProblem }
  | { kind: 'unavailable'; problem: PromptProblem };

/**
 * A code step by text message for a user with neither an authenticator app nor a passkey: SMS is
 * a restricted authenticator (NIST SP 800-63B-4 §3.1.3.3), so the page says so, and what comes
 * next for a stronger one: `add` a login's code step can go on to set up an authenticator app
 * (Verify, then add), `manage` the sign-in methods page follows, `setup` the setup of one
 * follows anyway, `none` the pages cannot add one here (the policy allows no authenticator app).
 */
export type SmsNotice = 'add' | 'manage' | 'setup' | 'none';

/** Why a form was refused, as the page says it (its messages are the pages' own, per language). */
export type PromptProblem =
  | 'invalid_code'
  | 'invalid_credential'
  | 'challenge_expired'
  | 'rate_limited'
  | 'resend_limit_reached'
  | 'delivery_failed'
  | 'method_not_available'
  | 'acr_not_met'
  | 'setup_unavailable'
  | 'prompt_done'
  | 'last_factor_required'
  | 'verification_expired'
  | 'invalid_request';

/** Where the browser goes: back to the app (with a code or an error), or to the page again (PRG). */
export type PromptOutcome =
  | { screen: PromptScreen; deviceToken?: string }
  | { redirect: string; deviceToken?: string }
  | { reload: true; view?: 'recovery' | 'passkey'; deviceToken?: string };

type Opened = OpenedPrompt;

/** The page for a GET: the step the prompt is at (starting its login step on the first visit). */
export async function promptScreen(deps: PromptDeps, opened: Opened, visitor: PromptVisitor, view: string | undefined): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  if (prompt.status === 'code_issued' || prompt.status === 'exchanged' || prompt.status === 'refused') return { screen: { kind: 'unavailable', problem: 'prompt_done' } };
  if (prompt.setup) return { screen: await setupScreen(deps, opened) };
  if (managing(prompt)) return { screen: await manageScreen(deps, opened) };
  if (prompt.status !== 'open') return { screen: { kind: 'unavailable', problem: 'prompt_done' } };
  if (!prompt.login) return start(deps, opened, visitor);
  return { screen: await loginScreen(deps, tenant, prompt, view === 'recovery' ? 'recovery' : view === 'passkey' ? 'passkey' : undefined, view === 'passkey') };
}

/** The first visit: the challenge, or straight back when no code is needed, or setup when the policy requires it. */
async function start(deps: PromptDeps, opened: Opened, visitor: PromptVisitor): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  const { tenantId, userId } = prompt;
  const now = deps.clock.nowMs();
  const user = await deps.users.load(tenantId, userId);
  const enrolled = usableMethods(user, tenant.policy).length > 0;
  // setting up a first factor needs no code; adding one to an enrolled user does (the login step first)
  if (prompt.purpose === 'setup' && !enrolled) return beginSetup(deps, opened);
  const created = await createChallenge(deps, tenantId, userId, {
    context: {
      ...(visitor.ip ? { ip: visitor.ip.slice(0, 64) } : {}),
      ...(visitor.userAgent ? { userAgent: visitor.userAgent.slice(0, 512) } : {}),
      ...(visitor.deviceToken ? { deviceToken: visitor.deviceToken.slice(0, 256) } : {}),
    },
    audience: promptAudience(prompt.redirectUri),
    nonce: promptNonce(prompt.state),
  });
  const deviceToken = created.deviceToken;
  if (!created.challengeId) {
    if (created.enrollmentRequired) return beginSetup(deps, opened);
    if (created.reason === 'not_enrolled' && created.graceEndsAt && prompt.purpose === 'login') {
      return { screen: graceScreen(created.graceEndsAt, now), ...(deviceToken ? { deviceToken } : {}) };
    }
    const reason = created.reason === 'recognized_device' || created.reason === 'two_factor_disabled' ? created.reason : 'not_enrolled';
    const result: PromptToken = { userId, purpose: prompt.purpose, verified: false, reason, method: null, verifiedAt: null, recoveryCodesRemaining: user.recovery?.hashes.length ?? 0, assertion: null, ...(created.graceEndsAt !== undefined ? { graceEndsAt: created.graceEndsAt } : {}) };
    return { redirect: await issueCode(deps, opened, 'open', result), ...(deviceToken ? { deviceToken } : {}) };
  }
  const login = {
    challengeId: created.challengeId,
    method: created.method ?? 'totp',
    methods: created.methods,
    ...(created.destination ? { destination: created.destination } : {}),
    ...(created.enrollmentRequired || prompt.purpose === 'setup' ? { enrollmentRequired: true } : {}),
  };
  await changePrompt(deps, prompt, 'open', { login });
  return { reload: true };
}

function graceScreen(graceEndsAt: string, nowMs: number): PromptScreen {
  return { kind: 'grace', graceEndsAt, daysLeft: Math.max(1, Math.ceil((Date.parse(graceEndsAt) - nowMs) / 86_400_000)) };
}

async function loginScreen(deps: PromptDeps, tenant: TenantRecord, prompt: PromptRecord, view: 'recovery' | 'passkey' | undefined, autostart: boolean, error?: PromptProblem): Promise<PromptScreen> {
  const login = prompt.login ?? fail('invalid_request');
  const remember = tenant.policy.trustedDevices.enabled && rememberedDevicesSkipTheCode(tenant.policy);
  const methods = login.methods.filter((m) => meetsAcr(prompt, tenant, m));
  const alternatives = methods.filter((m) => m !== login.method);
  const common = { alternatives, remember, ...(error ? { error } : {}) };
  if (view === 'recovery' || (login.method === 'recovery_code' && view !== 'passkey')) return { kind: 'recovery', ...common, alternatives: methods.filter((m) => m !== 'recovery_code') };
  if (login.method === 'webauthn') {
    const user = await deps.users.load(prompt.tenantId, prompt.userId);
    const challenge = user.challenges.find((c) => c.challengeId === login.challengeId);
    const keys = await deps.keyRing.keysFor(tenant);
    const options = challenge ? webauthnOptionsFor(tenant, keys, user, challenge) : undefined;
    return { kind: 'passkey', ...(options ? { options } : {}), autostart, ...common };
  }
  const smsNotice = login.method === 'sms' ? smsNoticeOf(tenant, prompt, login.methods) : undefined;
  return { kind: 'code', method: login.method === 'recovery_code' ? 'totp' : login.method, ...(login.destination ? { destination: login.destination } : {}), ...(smsNotice ? { smsNotice } : {}), ...common };
}

/** What a code step by text message says of SMS (SmsNotice); undefined: the user has a stronger method already, or the policy allows none. */
function smsNoticeOf(tenant: TenantRecord, prompt: PromptRecord, methods: Method[]): SmsNotice | undefined {
  const allowed = tenant.policy.methods.allowed;
  if (methods.includes('totp') || methods.includes('webauthn') || !(allowed.includes('totp') || allowed.includes('webauthn'))) return undefined;
  if (!allowed.includes('totp')) return 'none';
  if (prompt.purpose === 'setup' || prompt.login?.enrollmentRequired) return 'setup';
  return prompt.purpose === 'manage' ? 'manage' : 'add';
}

/** A login whose code step was answered by text message, going on to set up an authenticator app (`then: setup`), which the user may skip: the answer is kept. */
const addingAfterSms = (prompt: PromptRecord) => prompt.purpose === 'login' && prompt.status === 'open' && prompt.setup !== undefined && prompt.sealedResult !== undefined && !prompt.login?.enrollmentRequired;

/** Whether answering with `method` gives the assurance the app asked for (`acr`). */
function meetsAcr(prompt: PromptRecord, tenant: TenantRecord, method: Method): boolean {
  if (!prompt.acr) return true;
  const acr = acrOf(method, tenant.policy.assurance.emailCountsAsMfa);
  return prompt.acr === 'phr' ? acr === 'phr' : acr !== undefined;
}

/** A form posted: the CSRF token checked, then the one use case its action calls. */
export async function promptAction(deps: PromptDeps, opened: Opened, form: PromptForm): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  if (!sameText(form.csrf, prompt.csrf)) fail('invalid_request', 'The form is not valid; reload the page.');
  if (prompt.status === 'code_issued' || prompt.status === 'exchanged' || prompt.status === 'refused') return { screen: { kind: 'unavailable', problem: 'prompt_done' } };
  if (managing(prompt) && ['remove', 'add', 'regenerate', 'back', 'cancel'].includes(form.action)) return manageAction(deps, opened, form);
  if (form.action === 'cancel') return { redirect: await refuse(deps, prompt, 'access_denied') };
  if (form.action === 'done') {
    if (prompt.status !== 'verified' || !prompt.sealedResult) return { reload: true };
    return { redirect: await issueCode(deps, opened, 'verified', undefined) };
  }
  if (form.action === 'setup') return beginSetup(deps, opened);
  if (form.action === 'confirm') return confirmSetup(deps, opened, form);
  // verified by text message, the user chose not to add an authenticator app now: back with that answer
  if (form.action === 'skip' && addingAfterSms(prompt)) return { redirect: await issueCode(deps, opened, 'open', undefined) };
  if (form.action === 'skip') {
    // only where the policy still lets the user sign in without two-factor (the grace period)
    const user = await deps.users.load(prompt.tenantId, prompt.userId);
    const enforcement = enforcementOf(tenant, user, deps.clock.nowMs());
    if (enforcement.graceEndsAtMs === null || enforcement.state !== 'grace' || prompt.purpose !== 'login') return { reload: true };
    const result: PromptToken = { userId: prompt.userId, purpose: prompt.purpose, verified: false, reason: 'not_enrolled', method: null, verifiedAt: null, recoveryCodesRemaining: 0, assertion: null, graceEndsAt: iso(enforcement.graceEndsAtMs) };
    return { redirect: await issueCode(deps, opened, prompt.status, result) };
  }
  const login = prompt.login;
  if (!login || prompt.status !== 'open') return { reload: true };
  if (form.action === 'switch' || form.action === 'resend') return switchMethod(deps, opened, form);
  return answer(deps, opened, form);
}

async function switchMethod(deps: PromptDeps, opened: Opened, form: PromptForm): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  const login = prompt.login ?? fail('invalid_request');
  if (form.action === 'switch' && form.method === 'recovery_code') return { reload: true, view: 'recovery' };
  const method = form.action === 'switch' ? form.method : login.method;
  if (method === undefined || !login.methods.includes(method) || !meetsAcr(prompt, tenant, method)) return { screen: await loginScreen(deps, tenant, prompt, undefined, false, 'method_not_available') };
  if (form.action === 'switch' && method === 'totp') {
    // nothing to send: the code is in the app (the challenge accepts any of the user's methods' TOTP)
    await changePrompt(deps, prompt, 'open', { login: { ...login, method: 'totp' } });
    return { reload: true };
  }
  try {
    const resent = await resendChallenge(deps, prompt.tenantId, login.challengeId, { method });
    const { destination: _old, ...rest } = login;
    await changePrompt(deps, prompt, 'open', { login: { ...rest, method: resent.method, ...(resent.destination ? { destination: resent.destination } : {}) } });
    return { reload: true, ...(resent.method === 'webauthn' ? { view: 'passkey' as const } : {}) };
  } catch (error) {
    const problem = problemOf(error);
    if (problem === 'challenge_expired') return restart(deps, opened);
    return { screen: await loginScreen(deps, tenant, prompt, undefined, false, problem) };
  }
}

/** A code, a recovery code or a passkey's response: verifyChallenge, then back to the app (or on to setup). */
async function answer(deps: PromptDeps, opened: Opened, form: PromptForm): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  const login = prompt.login ?? fail('invalid_request');
  const view = form.action === 'recovery' ? 'recovery' : form.action === 'passkey' ? 'passkey' : undefined;
  const again = (problem: PromptProblem) => loginScreen(deps, tenant, prompt, view, false, problem).then((screen) => ({ screen }));
  const rememberDevice = form.rememberDevice === 'on' && tenant.policy.trustedDevices.enabled && rememberedDevicesSkipTheCode(tenant.policy);
  let body: Parameters<typeof verifyChallenge>[3];
  if (form.action === 'recovery') {
    if (!form.recoveryCode?.trim()) return again('invalid_code');
    body = { recoveryCode: form.recoveryCode };
  } else if (form.action === 'passkey') {
    let credential: unknown;
    try {
      credential = JSON.parse(form.credential ?? '');
    } catch {
      return again('invalid_credential');
    }
    body = { credential: credential as never };
  } else {
    const code = OtpCode.safeParse(form.code ?? '');
    if (!code.success) return again('invalid_code');
    body = { code: code.data };
  }
  let verified: ChallengeVerified;
  try {
    verified = await verifyChallenge(deps, prompt.tenantId, login.challengeId, { ...body, ...(rememberDevice ? { rememberDevice: true } : {}) });
  } catch (error) {
    // locked now, or by this very answer (the one that used up the attempts: none remain)
    if (error instanceof DomainError && (error.code === 'locked' || error.fields.attemptsRemaining === 0)) return { redirect: await refuse(deps, prompt, 'locked') };
    if (error instanceof DomainError && error.code === 'invalid_request') return again(form.action === 'passkey' ? 'invalid_credential' : 'invalid_code');
    const problem = problemOf(error);
    if (problem === 'challenge_expired') return restart(deps, opened);
    return again(problem);
  }
  const deviceToken = verified.deviceToken;
  if (!meetsAcr(prompt, tenant, verified.method)) return { screen: await loginScreen(deps, tenant, prompt, view, false, 'acr_not_met'), ...(deviceToken ? { deviceToken } : {}) };
  const result = tokenOf(prompt, verified.method, verified.verifiedAt, verified.recoveryCodesRemaining, verified.assertion);
  if (prompt.purpose === 'manage' && !login.enrollmentRequired) {
    // the code step is the fresh verification of what follows: the sign-in methods page
    const keys = await deps.keyRing.keysFor(tenant);
    await changePrompt(deps, prompt, 'open', { status: 'verified', sealedResult: sealResult(deps, keys.sealKey, prompt, result), verifiedAtMs: deps.clock.nowMs() });
    return { reload: true, ...(deviceToken ? { deviceToken } : {}) };
  }
  // verified by text message, the user asked to add an authenticator app (the code step's notice): on to setup, the answer kept
  const addApp = form.then === 'setup' && prompt.purpose === 'login' && verified.method === 'sms' && tenant.policy.methods.allowed.includes('totp');
  if (login.enrollmentRequired || addApp) {
    // verified first; the policy wants an authenticator app too: on to setup, the answer kept
    const keys = await deps.keyRing.keysFor(tenant);
    await changePrompt(deps, prompt, 'open', { sealedResult: sealResult(deps, keys.sealKey, prompt, result) });
    return { ...(await beginSetup(deps, { ...opened, prompt: { ...prompt, sealedResult: 'kept' } })), ...(deviceToken ? { deviceToken } : {}) };
  }
  return { redirect: await issueCode(deps, opened, 'open', result), ...(deviceToken ? { deviceToken } : {}) };
}

/** An expired challenge: a new one (a code is sent again for sms and email). */
async function restart(deps: PromptDeps, opened: Opened): Promise<PromptOutcome> {
  await changePrompt(deps, opened.prompt, 'open', { login: undefined });
  return { reload: true };
}

const tokenOf = (prompt: PromptRecord, method: Method, verifiedAt: string, recoveryCodesRemaining: number, assertion: string): PromptToken => ({
  userId: prompt.userId,
  purpose: prompt.purpose,
  verified: true,
  reason: 'two_factor_verified',
  method,
  verifiedAt,
  recoveryCodesRemaining,
  assertion,
});

// ---------------------------------------------------------------- setup: an authenticator app, its recovery codes

/** Starts enrolling an authenticator app (once per prompt): its key is kept sealed on the prompt, shown until confirmed. */
async function beginSetup(deps: PromptDeps, opened: Opened): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  if (prompt.setup) return { reload: true };
  // the pages set up an authenticator app; a tenant that allows none sets up other factors in its own screens
  if (!tenant.policy.methods.allowed.includes('totp')) return { screen: { kind: 'unavailable', problem: 'setup_unavailable' } };
  const enrollment = await startFactorEnrollment(deps, prompt.tenantId, prompt.userId, { type: 'totp', label: 'Authenticator app' });
  if (enrollment.type !== 'totp') return { screen: { kind: 'unavailable', problem: 'setup_unavailable' } };
  const keys = await deps.keyRing.keysFor(tenant);
  const sealedKey = seal(keys.sealKey, deps.random, Buffer.from(JSON.stringify({ secret: enrollment.secret, uri: enrollment.otpauthUri })), setupBinding(prompt));
  await changePrompt(deps, prompt, prompt.status, { setup: { factorId: enrollment.factorId, sealedKey } });
  return { reload: true };
}

async function setupScreen(deps: PromptDeps, opened: Opened, error?: PromptProblem): Promise<PromptScreen> {
  const { prompt, tenant } = opened;
  const setup = prompt.setup ?? fail('invalid_request');
  const keys = await deps.keyRing.keysFor(tenant);
  const { secret, uri } = JSON.parse(Buffer.from(open(keys.sealKey, setup.sealedKey, setupBinding(prompt))).toString('utf8')) as { secret: string; uri: string };
  const user = await deps.users.load(prompt.tenantId, prompt.userId);
  const enforcement = enforcementOf(tenant, user, deps.clock.nowMs());
  const daysLeft = enforcement.state === 'grace' && enforcement.graceEndsAtMs !== null ? Math.max(1, Math.ceil((enforcement.graceEndsAtMs - deps.clock.nowMs()) / 86_400_000)) : undefined;
  const { qrCodeDataUrl } = await import('../factors/totp/totp-qr-code');
  return {
    kind: 'setup',
    qrCode: await qrCodeDataUrl(uri),
    // RFC 4648 base32 in groups of four, as people copy it
    secretGroups: secret.match(/.{1,4}/g) ?? [secret],
    ...(daysLeft !== undefined ? { daysLeft } : {}),
    required: enforcement.state === 'required' || prompt.login?.enrollmentRequired === true,
    skippable: addingAfterSms(prompt),
    ...(error ? { error } : {}),
  };
}

/** The code from the app confirms the factor (confirmFactor); the first factor's recovery codes are shown once. */
async function confirmSetup(deps: PromptDeps, opened: Opened, form: PromptForm): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  const setup = prompt.setup;
  const manage = prompt.purpose === 'manage' && prompt.status === 'verified';
  if (!setup || (prompt.status !== 'open' && !manage)) return { reload: true };
  const code = OtpCode.safeParse(form.code ?? '');
  if (!code.success) return { screen: await setupScreen(deps, opened, 'invalid_code') };
  let confirmed: Awaited<ReturnType<typeof confirmFactor>>;
  try {
    confirmed = await confirmFactor(deps, prompt.tenantId, prompt.userId, setup.factorId, { code: code.data });
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'enrollment_expired' || error.code === 'factor_not_found')) {
      // too many wrong codes: a new key
      await changePrompt(deps, prompt, prompt.status, { setup: undefined });
      return beginSetup(deps, { ...opened, prompt: { ...prompt, setup: undefined } });
    }
    return { screen: await setupScreen(deps, opened, problemOf(error)) };
  }
  const keys = await deps.keyRing.keysFor(tenant);
  const now = deps.clock.nowMs();
  // the user proved the new authenticator app just now: the same assertion a TOTP login gets
  // (unless the login step before it already made one: that one stands)
  const kept = prompt.sealedResult;
  let sealedResult = kept;
  if (!sealedResult) {
    const user = await deps.users.load(prompt.tenantId, prompt.userId);
    const assertion = await deps.assertions.sign({
      tenantId: prompt.tenantId,
      userId: prompt.userId,
      method: 'totp',
      challengeId: prompt.promptId,
      authTimeMs: now,
      lifetimeSeconds: tenant.policy.freshVerificationSeconds,
      epoch: user.profile?.securityEpoch,
      audience: promptAudience(prompt.redirectUri),
      nonce: promptNonce(prompt.state),
      emailCountsAsMfa: tenant.policy.assurance.emailCountsAsMfa,
    });
    sealedResult = sealResult(deps, keys.sealKey, prompt, tokenOf(prompt, 'totp', iso(now), user.recovery?.hashes.length ?? 0, assertion));
  }
  const verifiedAtMs = prompt.purpose === 'manage' ? { verifiedAtMs: prompt.verifiedAtMs ?? now } : {};
  await changePrompt(deps, prompt, prompt.status, { status: 'verified', sealedResult, setup: undefined, ...verifiedAtMs });
  // a manage prompt goes back to its sign-in methods page
  if (confirmed.recoveryCodes) return { screen: { kind: 'codes', codes: confirmed.recoveryCodes, ...(prompt.purpose === 'manage' ? { next: 'manage' as const } : {}) } };
  if (prompt.purpose === 'manage') return { reload: true };
  return { redirect: await issueCode(deps, { ...opened, prompt: { ...prompt, status: 'verified', sealedResult } }, 'verified', undefined) };
}

// ---------------------------------------------------------------- manage: the sign-in methods, after the code step

/** A manage prompt past its code step: its sign-in methods page, until Done. */
const managing = (prompt: PromptRecord) => prompt.purpose === 'manage' && prompt.status === 'verified' && prompt.verifiedAtMs !== undefined;

async function manageScreen(deps: PromptDeps, opened: Opened, error?: PromptProblem): Promise<PromptScreen> {
  const { prompt, tenant } = opened;
  const user = await deps.users.load(prompt.tenantId, prompt.userId);
  const active = user.factors.filter((f) => f.status === 'active');
  return {
    kind: 'manage',
    factors: active.map((f) => ({ factorId: f.factorId, type: f.type, label: f.label, addedAt: iso(f.activatedAtMs ?? f.createdAtMs) })),
    canAdd: tenant.policy.methods.allowed.includes('totp'),
    // SMS is a restricted authenticator (NIST SP 800-63B-4 §3.1.3.3): said beside it while nothing stronger is there
    smsRestricted: active.some((f) => f.type === 'sms') && !active.some((f) => f.type === 'totp' || f.type === 'webauthn'),
    recoveryCodesRemaining: user.recovery?.hashes.length ?? 0,
    ...(error ? { error } : {}),
  };
}

/**
 * Remove a factor, add an authenticator app, new recovery codes: the same use cases as the API's
 * sensitive routes, whose fresh verification here is the prompt's own code step, passed in this
 * browser no longer ago than the policy's freshVerificationSeconds.
 */
async function manageAction(deps: PromptDeps, opened: Opened, form: PromptForm): Promise<PromptOutcome> {
  const { prompt, tenant } = opened;
  if (form.action === 'back') return { reload: true };
  if (form.action === 'cancel') {
    // cancelling the setup of another authenticator app: back to the methods
    if (prompt.setup) await changePrompt(deps, prompt, 'verified', { setup: undefined });
    return { reload: true };
  }
  const now = deps.clock.nowMs();
  if (now - (prompt.verifiedAtMs ?? 0) > tenant.policy.freshVerificationSeconds * 1000) return { screen: await manageScreen(deps, opened, 'verification_expired') };
  if (form.action === 'add') return beginSetup(deps, opened);
  if (form.action === 'regenerate') {
    try {
      const { recoveryCodes } = await regenerateRecoveryCodes(deps, prompt.tenantId, prompt.userId, 'user');
      return { screen: { kind: 'codes', codes: recoveryCodes, next: 'manage' } };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_enrolled') return { reload: true };
      throw error;
    }
  }
  // remove
  const user = await deps.users.load(prompt.tenantId, prompt.userId);
  const factor = user.factors.find((f) => f.factorId === form.factorId && f.status === 'active');
  if (!factor) return { reload: true };
  const last = !user.factors.some((f) => f.status === 'active' && f.factorId !== factor.factorId);
  // the policy requires two-factor authentication: the last method stays
  if (last && enforcementOf(tenant, user, now).required) return { screen: await manageScreen(deps, opened, 'last_factor_required') };
  try {
    await removeFactor(deps, prompt.tenantId, prompt.userId, factor.factorId, 'user');
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'factor_not_found')) throw error;
  }
  return { reload: true };
}

// ---------------------------------------------------------------- the way back

const sealResult = (deps: Pick<CoreDeps, 'random'>, sealKey: Uint8Array, prompt: PromptRecord, result: PromptToken) =>
  seal(sealKey, deps.random, Buffer.from(JSON.stringify(result)), resultBinding(prompt));

/** The redirect URI with these parameters added (RFC 6749 §4.1.2: its own query kept). */
function back(prompt: PromptRecord, params: Record<string, string>): string {
  const url = new URL(prompt.redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** Makes the code (its hash kept, for PROMPT_CODE_SECONDS) with the answer sealed, and the redirect that carries it. */
async function issueCode(deps: Pick<CoreDeps, 'clock' | 'random' | 'prompts' | 'keyRing'>, opened: Opened, from: PromptStatus, result: PromptToken | undefined): Promise<string> {
  const { prompt, tenant } = opened;
  const secret = randomToken(deps);
  const keys = await deps.keyRing.keysFor(tenant);
  const sealedResult = result ? sealResult(deps, keys.sealKey, prompt, result) : (prompt.sealedResult ?? fail('invalid_request'));
  await changePrompt(deps, prompt, from, { status: 'code_issued', sealedResult, codeHash: sha256(secret), codeExpiresAtMs: deps.clock.nowMs() + PROMPT_CODE_SECONDS * 1000, setup: undefined });
  return back(prompt, { code: `${prompt.promptId}.${secret}`, state: prompt.state });
}

/** The prompt ends without a code: cancelled (`access_denied`, RFC 6749 §4.1.2.1) or the user locked out. */
async function refuse(deps: Pick<CoreDeps, 'prompts'>, prompt: PromptRecord, error: 'access_denied' | 'locked'): Promise<string> {
  await deps.prompts.update(prompt.tenantId, prompt.promptId, prompt.status, { status: 'refused', sealedResult: undefined });
  return back(prompt, { error, state: prompt.state });
}

/** A change on the status read; a form posted twice (two tabs, a double click) finds it moved and is answered with the page as it is. */
async function changePrompt(deps: Pick<CoreDeps, 'prompts'>, prompt: PromptRecord, expected: PromptStatus, change: Parameters<PromptDeps['prompts']['update']>[3]): Promise<void> {
  if (!(await deps.prompts.update(prompt.tenantId, prompt.promptId, expected, change))) fail('invalid_request', 'This page changed in another tab; reload it.');
}

/** What the page says of a refused answer. */
function problemOf(error: unknown): PromptProblem {
  if (!(error instanceof DomainError)) throw error;
  const known: readonly PromptProblem[] = ['invalid_code', 'invalid_credential', 'challenge_expired', 'rate_limited', 'resend_limit_reached', 'delivery_failed', 'method_not_available'];
  const code = error.code as PromptProblem;
  if (known.includes(code)) return code;
  if (error.code === 'challenge_already_verified' || error.code === 'challenge_not_found') return 'challenge_expired';
  if (error.code === 'factor_already_active' || error.code === 'too_many_factors') return 'setup_unavailable';
  throw error;
}
