/**
 * The hosted prompt: a client app sends the user to Twofold's own pages for the second step and
 * gets back a one-time code, exchanged for the same signed assertion a verified challenge returns.
 * Shaped as OAuth 2.0's authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636).
 */
import * as z from 'zod/mini';
import { count, isoTime, text } from './build';
import { Method, UserId } from './common';

export const PromptPurpose = z
  .enum(['login', 'setup', 'manage'])
  .check(z.meta({ description: '`login`: the second step of a sign-in (setup first when the policy requires it); `setup`: enrol a first factor and save recovery codes; `manage`: add or remove methods, regenerate recovery codes (after a fresh verification)' }));
export type PromptPurpose = z.infer<typeof PromptPurpose>;

/** The languages the prompt's pages are written in. */
export const PromptLocale = z.enum(['en', 'fr', 'de', 'es']);
export type PromptLocale = z.infer<typeof PromptLocale>;

/** 128 random bits and the tenant's id, base64url (the pages find the tenant from the id alone). */
export const PromptId = z
  .string()
  .check(z.regex(/^pr_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{4,100}$/, 'promptId is not a valid id'), z.meta({ description: 'Opaque promptId made by the service' }));
export const PromptPath = z.object({ promptId: PromptId });

/** RFC 7636 §4.2: BASE64URL(SHA256(code_verifier)), 43 characters. */
const CodeChallenge = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'codeChallenge is the base64url SHA-256 of the verifier (43 characters)'), z.meta({ description: 'BASE64URL(SHA-256(codeVerifier)), RFC 7636 §4.2' }));
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CodeVerifier = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._~-]{43,128}$/, 'codeVerifier is 43-128 characters of A-Z a-z 0-9 - . _ ~'), z.meta({ description: 'The secret whose hash was sent as codeChallenge (RFC 7636 §4.1)' }));

export const CreatePromptBody = z
  .strictObject({
    userId: UserId,
    redirectUri: text(1, 2000).check(z.meta({ description: "Where the prompt sends the browser back: exactly one of the policy's hostedPrompt.redirectUris" })),
    state: text(8, 512).check(
      z.regex(/^[\x21-\x7e]+$/, 'state is printable ASCII without spaces'),
      z.meta({ description: 'A value the app made for this attempt and keeps in the user\'s session: echoed back on the redirect; check it there (RFC 6749 §10.12)' }),
    ),
    codeChallenge: CodeChallenge,
    codeChallengeMethod: z.literal('S256').check(z.meta({ description: 'Only S256' })),
    purpose: PromptPurpose,
    acr: z.optional(z.enum(['phr', 'mfa'])).check(z.meta({ description: '`phr`: accept only a passkey or security key; `mfa`: no email code (unless the policy counts it as one)' })),
    locale: z.optional(text(2, 35)).check(z.meta({ description: "The pages' language (en, fr, de, es; a tag like fr-CA counts as fr); the browser's Accept-Language when absent" })),
  })
  .check(z.meta({ id: 'CreatePromptBody' }));
export type CreatePromptBody = z.infer<typeof CreatePromptBody>;

export const PromptCreated = z
  .object({
    promptId: PromptId,
    url: z.string().check(z.meta({ description: "Send the user's browser here (a 303 redirect)" })),
    expiresAt: isoTime.check(z.meta({ description: 'When the prompt stops working (the policy\'s codeTimeoutSeconds)' })),
  })
  .check(z.meta({ id: 'PromptCreated' }));
export type PromptCreated = z.infer<typeof PromptCreated>;

export const PromptTokenBody = z
  .strictObject({
    code: text(1, 400).check(z.meta({ description: 'The `code` the prompt put on the redirect URI' })),
    codeVerifier: CodeVerifier,
  })
  .check(z.meta({ id: 'PromptTokenBody' }));
export type PromptTokenBody = z.infer<typeof PromptTokenBody>;

export const PromptToken = z
  .object({
    userId: UserId,
    purpose: PromptPurpose,
    verified: z.boolean().check(z.meta({ description: 'Whether the user passed a second factor on the prompt (false: none was needed; `reason` says why)' })),
    reason: z
      .enum(['two_factor_verified', 'not_enrolled', 'two_factor_disabled', 'recognized_device'])
      .check(z.meta({ description: '`two_factor_verified` (see assertion), `not_enrolled` (no factor and none required yet: see graceEndsAt), `two_factor_disabled` (the tenant turned it off), `recognized_device` (a remembered device)' })),
    method: z.nullable(Method).check(z.meta({ description: 'How the user proved it' })),
    verifiedAt: z.nullable(isoTime),
    recoveryCodesRemaining: count(),
    graceEndsAt: z.optional(z.nullable(isoTime)).check(z.meta({ description: 'not_enrolled: until when the user may still sign in without two-factor' })),
    assertion: z
      .nullable(z.string())
      .check(z.meta({ description: "verified: the signed assertion (JWT, ES256) a verified challenge returns, with acr, amr, twofold_method, aud (the redirect URI's origin) and nonce (BASE64URL(SHA-256(state))); keys at /.well-known/jwks.json" })),
  })
  .check(z.meta({ id: 'PromptToken' }));
export type PromptToken = z.infer<typeof PromptToken>;

/** What the prompt's forms post (application/x-www-form-urlencoded): the action, the CSRF token and the fields of that form. */
export const PromptForm = z
  .object({
    csrf: text(1, 100),
    action: z.enum(['verify', 'recovery', 'passkey', 'switch', 'resend', 'cancel', 'setup', 'confirm', 'skip', 'done', 'remove', 'add', 'regenerate', 'back']),
    code: z.optional(text(0, 32)),
    recoveryCode: z.optional(text(0, 64)),
    credential: z.optional(text(0, 12_000)),
    rememberDevice: z.optional(z.literal('on')),
    method: z.optional(Method),
    /** The factor a manage prompt's Remove button is for. */
    factorId: z.optional(text(1, 64)),
    /** A login's code step answered by text message: after the code, set up an authenticator app (NIST SP 800-63B-4 restricts SMS). */
    then: z.optional(z.literal('setup')),
  })
  .check(z.meta({ id: 'PromptForm' }));
export type PromptForm = z.infer<typeof PromptForm>;

/**
 * A redirect URI the prompt may send a code to: an absolute https URI without a fragment
 * (RFC 6749 §3.1.2), or plain http on the loopback host for development (RFC 8252 §7.3).
 */
export function isRedirectUri(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.hash !== '' || uri.includes('#') || url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** The hosted prompt's policy section: where it may send users back, and how it looks. */
export const HostedPromptSettings = z.strictObject({
  redirectUris: z
    ._default(z.array(text(1, 2000).check(z.refine(isRedirectUri, { message: 'a redirect URI is an absolute https URI without a fragment (http only on localhost)' }))).check(z.maxLength(20)), [])
    .check(z.meta({ description: 'The exact URIs the prompt may redirect to (https, or http on localhost); compared exactly' })),
  branding: z.prefault(
    z.strictObject({
      name: z.optional(text(1, 64)).check(z.meta({ description: "The app's name on the pages (default: messages.appName, else the tenant's name)" })),
      logoUrl: z.optional(text(1, 2000).check(z.regex(/^https:\/\/[^\s"'<>]+$/, 'logoUrl is an https URL'))).check(z.meta({ description: 'An https image shown above the card' })),
      color: z.optional(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'color is #rrggbb'))).check(z.meta({ description: 'The buttons\' and links\' colour, #rrggbb' })),
    }),
    {},
  ),
});
export type HostedPromptSettings = z.infer<typeof HostedPromptSettings>;
