/**
 * What the OpenAPI document says about each operation beyond its schemas: its tag, a
 * description for a developer reading the reference pages, and examples of its request and
 * response. Keyed by operationId, so an operation without its text does not compile. Only
 * openapi.ts imports this (the public function loads it on the first GET /openapi.json; no
 * other function carries it).
 */
import type { OperationId } from './routes';

export const tags = [
  { name: 'Users', description: 'The users of a client app, as Twofold knows them: their two-factor status, and turning two-factor off.' },
  { name: 'Factors', description: 'Enrolling a second factor: an authenticator app (TOTP, with a QR code), codes by SMS or email, or a passkey or security key (WebAuthn).' },
  { name: 'Recovery codes', description: 'Single-use codes a user keeps for when their factor is lost. Made when the first factor becomes active.' },
  {
    name: 'Challenges',
    description:
      'The login step. After checking the password, start a challenge: it says whether a code is required, and which methods can answer it. Then verify what the user typed.',
  },
  {
    name: 'Hosted prompt',
    description:
      "Twofold's own pages for the second step: start a prompt after the password check, send the browser to its url, and exchange the code it comes back with (and the PKCE verifier) for the signed assertion. See docs/prompt.md.",
  },
  { name: 'Devices', description: 'Devices a user chose to remember at a verified login ("remember this device"), which may skip the code next time.' },
  { name: 'Policy', description: "The tenant's two-factor policy: who must enroll, which methods, timeouts and limits, the texts of the codes sent." },
  { name: 'Admin', description: 'For the tenant\'s administrators (an admin key): users by status, adoption, the audit trail, unlocking and resetting users.' },
  { name: 'API keys', description: "The tenant's API keys, for its administrators (an admin key): list them, make one (shown once), revoke one." },
  { name: 'Service', description: 'Needs no key: health, this document, the reference pages, the admin console\'s page and the keys that sign assertions.' },
] as const;

export type Tag = (typeof tags)[number]['name'];

export interface OperationDoc {
  tag: Tag;
  description: string;
  /** An example request body (JSON). */
  request?: unknown;
  /** An example of the success response body (JSON). */
  response?: unknown;
}

const time = '2026-11-22T10:00:00.000Z';
const later = '2026-11-22T10:10:00.000Z';
const userId = 'user-42';
const factorId = 'f_3kTq9ZbXw2LmNp7RvYc4Ag';
const challengeId = 'ch_Qm4vN8rT2xKp6WzYh1Ls5w';
const deviceId = 'Zq1Xw2Ec3Rv4Tb5Yn6Um7I';
const recoveryCodes = ['7KQ4-M9XZ-3T2P-8WRN', 'C5D2-HJ7E-QAB1-VN6K', 'P3G8-Y2RF-5MKT-W9ZD', 'A6NQ-4T8J-XB3E-2HVC'];

const factor = { factorId, type: 'totp', label: 'Authenticator app', status: 'active', createdAt: time, lastUsedAt: later };
const user = {
  userId,
  status: 'enrolled',
  factors: [factor],
  recoveryCodesRemaining: 8,
  lockedUntil: null,
  email: 'ada@example.com',
  roles: ['staff'],
  sso: false,
  locale: 'en-GB',
  enforcement: { required: true, graceEndsAt: null, state: 'required' },
};
const policy = {
  enabled: true,
  enforcement: { mode: 'roles', roles: ['admin'], exemptSso: true, gracePeriodDays: 7, graceEndsAt: null },
  prompt: 'every_login',
  methods: { allowed: ['totp', 'email', 'webauthn'], default: 'totp', allowFallback: true, roleRules: [{ role: 'admin', allowed: ['totp', 'webauthn'] }] },
  authenticatorEnrollment: 'optional',
  codeTimeoutSeconds: 600,
  maxInvalidAttempts: 5,
  lockoutSeconds: 600,
  resendLimit: 3,
  recoveryCodes: { count: 8 },
  totp: { issuer: 'Acme', digits: 6, period: 30, algorithm: 'sha1', window: 1 },
  trustedDevices: { enabled: true, days: 30 },
  freshVerificationSeconds: 300,
  emailCodeOnUnrecognizedDevice: false,
  auditRetentionDays: 365,
  sms: { allowedCountries: [] },
  webauthn: { rpId: 'example.com', rpName: 'Acme', origins: ['https://app.example.com'], userVerification: 'preferred' },
  messages: { appName: 'Acme', defaultLocale: 'en', sms: {}, email: { fromName: 'Acme Security' } },
};
const apiKey = { keyId: '3f9a1c0d2b4e6f70', name: 'billing service', scope: 'app', prefix: 'tf_3f9a1c0d2b4e6f70', createdAt: time, lastUsedAt: later };
const freshNote =
  'Needs a fresh verification of the user: send the `assertion` of a challenge they verified within the policy\'s `freshVerificationSeconds` in the `Twofold-Assertion` header (an admin key needs none); otherwise 403 `fresh_verification_required`.';

export const operationDocs: Record<OperationId, OperationDoc> = {
  health: { tag: 'Service', description: 'Answers 200 while the service runs. Needs no key.', response: { status: 'ok' } },
  openapi: { tag: 'Service', description: 'This document, generated from the zod schemas the service validates with. `servers` is the address it was asked at.' },
  jwks: {
    tag: 'Service',
    description: 'The public keys (RFC 7517) that check the `assertion` JWT (ES256) a verified challenge returns. Cache them; look a key up by `kid`.',
    response: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1', alg: 'ES256', use: 'sig' }] },
  },
  docs: { tag: 'Service', description: 'These reference pages, rendered in the browser from /openapi.json.' },
  docsScript: { tag: 'Service', description: 'The renderer of the reference pages (Redoc), served from here so that the page needs no other site.' },
  consolePage: {
    tag: 'Service',
    description: "The admin console, a page for a tenant's administrators: settings, adoption, users and the audit trail. It holds no data; whoever signs in enters an admin API key, which it sends with every call it makes to this API.",
  },
  consoleScript: { tag: 'Service', description: "The admin console's script, served from here (the page's CSP allows no other site)." },
  consoleStyles: { tag: 'Service', description: "The admin console's style sheet." },
  consoleIcon: { tag: 'Service', description: "The admin console's icon." },
  favicon: { tag: 'Service', description: 'The icon a browser asks for of any page here: the console icon (SVG), so that no page gets a 404 for it.' },

  putUser: {
    tag: 'Users',
    description:
      'Tells Twofold what it needs to know about a user: an email for email codes, roles and SSO for the policy. Optional: a user is also created by their first enrollment. Fields not sent are left as they are.',
    request: { email: 'ada@example.com', roles: ['staff'], sso: false, locale: 'en-GB' },
    response: user,
  },
  getUser: {
    tag: 'Users',
    description: "The user's two-factor status, their factors, recovery codes left, a lockout, and how the policy applies to them (`enforcement`). Use it to draw a security settings page.",
    response: user,
  },
  deleteUser: {
    tag: 'Users',
    description:
      'Erases the user: their profile (email, phone), factors, recovery codes, remembered devices and audit entries. One `user.deleted` event stays to say that it happened. A retry after a failure finishes the erasure; a user Twofold does not know: 404 `user_not_found`.',
  },
  disableTwoFactor: {
    tag: 'Users',
    description: `Turns two-factor off for the user: every factor, recovery code and remembered device is removed and the user is \`not_started\` again. ${freshNote}`,
  },
  createFactor: {
    tag: 'Factors',
    description:
      'Starts enrolling a factor; it stays `pending` until confirmed (verifyFactor). For `totp`: show the QR code (`qrCode`, an image URL) and the `secret` beside it for typing in by hand; the secret is shown only here. For `sms` and `email`: a code is sent now. For `webauthn` (a passkey or security key): give `options` to the browser (`PublicKeyCredential.parseCreationOptionsFromJSON()`, then `navigator.credentials.create()`).',
    request: { type: 'totp', label: 'Authenticator app' },
    response: {
      factorId,
      type: 'totp',
      status: 'pending',
      label: 'Authenticator app',
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      otpauthUri: 'otpauth://totp/Acme:user-42?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme&algorithm=SHA1&digits=6&period=30',
      qrCode: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    },
  },
  listFactors: { tag: 'Factors', description: "The user's factors, pending and active.", response: { factors: [factor] } },
  verifyFactor: {
    tag: 'Factors',
    description:
      "Confirms a pending factor with the code the user typed (from the authenticator app, or the SMS or email), or for `webauthn` with the browser's `credential.toJSON()` as `credential`. When it is the user's first active factor the answer holds their recovery codes: show them once and let the user save them. A wrong code: 422 `invalid_code` with `attemptsRemaining`.",
    request: { code: '123456' },
    response: { factorId, status: 'active', recoveryCodes },
  },
  deleteFactor: { tag: 'Factors', description: `Removes one factor. ${freshNote}` },
  getRecoveryCodes: {
    tag: 'Recovery codes',
    description:
      'How many recovery codes the user has left. With a fresh verification (a `Twofold-Assertion` header), the unused codes themselves too, so that the user can see them again.',
    response: { remaining: 7 },
  },
  regenerateRecoveryCodes: {
    tag: 'Recovery codes',
    description: `Makes a new set of recovery codes; every earlier code stops working. Show them once. ${freshNote}`,
    response: { recoveryCodes },
  },

  createChallenge: {
    tag: 'Challenges',
    description:
      "Call it after the user's password checked out. `required: false`: sign the user in (`reason` says why: not enrolled, a remembered device, two-factor off for the tenant). `required: true`: ask for a code by `method` and answer with verifyChallenge; for `sms` and `email` the code is sent now. With `enrollmentRequired`, the policy requires the user to enroll: send them to set up two-factor (`graceEndsAt` says until when they may still skip it). Send an `Idempotency-Key` to make a retry send no second code.",
    request: { method: 'totp', context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/130.0' } },
    response: { challengeId, required: true, reason: 'two_factor_enabled', methods: ['totp', 'email', 'recovery_code'], method: 'totp', expiresAt: later },
  },
  getChallenge: {
    tag: 'Challenges',
    description: 'A challenge and its state: pending, verified, expired or locked, and the attempts left.',
    response: { challengeId, userId, status: 'pending', method: 'totp', expiresAt: later, verifiedAt: null, attemptsRemaining: 5 },
  },
  resendChallenge: {
    tag: 'Challenges',
    description:
      "Sends a new code for an sms or email challenge (the previous one stops working), or switches the challenge to another of the user's methods (`method`, when the policy allows fallback). Over the policy's `resendLimit`: 429 `resend_limit_reached`.",
    request: { method: 'email' },
    response: { challengeId, method: 'email', expiresAt: later, resendsRemaining: 2, destination: 'a***@example.com' },
  },
  verifyChallenge: {
    tag: 'Challenges',
    description:
      "Answers a challenge with the code the user typed, one of their recovery codes, or for `webauthn` the browser's `credential.toJSON()` after `navigator.credentials.get()` (as `credential`). On success, sign the user in; keep `assertion` (a JWT) for sensitive calls that need a fresh verification, and with `rememberDevice` store `deviceToken` in the user's browser (e.g. a cookie) for the next challenges. A wrong code: 422 `invalid_code` with `attemptsRemaining`; too many: 423 `locked` with `retryAfterSeconds` and `Retry-After`.",
    request: { code: '123456', rememberDevice: true },
    response: {
      verified: true,
      challengeId,
      userId,
      method: 'totp',
      verifiedAt: time,
      recoveryCodesRemaining: 8,
      assertion: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl',
      deviceToken: 'dt_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    },
  },

  createPrompt: {
    tag: 'Hosted prompt',
    description:
      "Start one once the password is right (or from a settings page, with purpose `setup`). Send the user's browser to `url`: Twofold's pages run the whole step and redirect to `redirectUri` with `code` and `state` (or `error` = `access_denied` or `locked`, and `state`). `redirectUri` must be one of the policy's `hostedPrompt.redirectUris`, exactly: otherwise 422 `invalid_redirect_uri`. Keep `state` and the PKCE verifier in the user's session. A userId Twofold has not seen is created.",
    request: { userId, redirectUri: 'https://app.example.com/2fa/callback', state: 'Gk3t9wQz1LmN', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256', purpose: 'login', locale: 'fr' },
    response: { promptId: 'pr_Qm4vN8rT2xKp6WzYh1Ls5w.dG5fM2tUcTla', url: 'https://2fa.example.com/prompt/pr_Qm4vN8rT2xKp6WzYh1Ls5w.dG5fM2tUcTla', expiresAt: later },
  },
  exchangePromptCode: {
    tag: 'Hosted prompt',
    description:
      'Exchanges the code the prompt redirected back with, and the verifier whose SHA-256 was the codeChallenge, for the signed assertion a verified challenge returns. A code works once, within 60 seconds, only with its verifier and only with an API key of the tenant that started the prompt: anything else is 400 `invalid_grant`. Check `state` on the redirect before calling this.',
    request: { code: 'pr_Qm4vN8rT2xKp6WzYh1Ls5w.dG5fM2tUcTla.Yq8rT2xKp6WzYh1Ls5wQm4vN8rT2xKp6WzYh1Ls5w', codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' },
    response: { userId, purpose: 'login', method: 'totp', verifiedAt: time, recoveryCodesRemaining: 8, assertion: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl' },
  },
  promptPage: { tag: 'Hosted prompt', description: "The prompt's page, in the user's language: the code (or passkey, or recovery code), setup with a QR code, or the user's methods. Opened by the browser from `url`; it binds the prompt to that browser." },
  promptAction: { tag: 'Hosted prompt', description: "What the prompt's forms post (CSRF-protected); answers the next page, or a 303 to the redirect URI." },

  listDevices: {
    tag: 'Devices',
    description: 'The devices the user chose to remember, with when they were last used and when they stop being trusted.',
    response: { devices: [{ deviceId, label: 'Firefox on macOS', createdAt: time, lastUsedAt: later, expiresAt: '2026-12-22T10:00:00.000Z' }] },
  },
  revokeDevice: { tag: 'Devices', description: 'Forgets one remembered device: its next sign-in asks for a code again.' },
  revokeAllDevices: { tag: 'Devices', description: 'Forgets every remembered device of the user (e.g. after a password change).' },

  getPolicy: { tag: 'Policy', description: "The tenant's policy, every field with its value (defaults filled in). An app key may read it.", response: policy },
  putPolicy: {
    tag: 'Policy',
    description:
      'Replaces the policy with the one sent; fields left out take their defaults. It applies from the next challenge. An inconsistent policy (the default method not allowed, SMS where the deployment has no SMS sender) is refused with 422 `invalid_policy` and a message that says what to change. Needs an admin key.',
    request: policy,
    response: policy,
  },
  patchPolicy: {
    tag: 'Policy',
    description:
      'Changes only the fields sent, as a JSON merge patch (RFC 7396, `Content-Type: application/merge-patch+json`; `application/json` is taken too, any other type gets 415 `unsupported_media_type`): nested objects merge, `null` removes a field, which then takes its default. The result is checked like a PUT\'s (422 `invalid_policy`). It applies from the next challenge. Needs an admin key.',
    request: { maxInvalidAttempts: 3, methods: { allowed: ['totp', 'webauthn'] }, messages: { appName: null } },
    response: policy,
  },

  listUsers: {
    tag: 'Admin',
    description: 'Users filtered by status and role, a page at a time: pass `nextCursor` as `cursor` for the next page. Needs an admin key.',
    response: { users: [user], nextCursor: null },
  },
  unlockUser: { tag: 'Admin', description: 'Lifts a lockout after too many failed attempts, so that the user may try again now. Needs an admin key.' },
  resetUser: {
    tag: 'Admin',
    description: 'For a user who lost every factor and recovery code: removes their factors, recovery codes and remembered devices and the lock, so that they enroll again. Needs an admin key.',
  },
  adminRegenerateRecoveryCodes: {
    tag: 'Admin',
    description: "Makes a new set of recovery codes for a user (e.g. for a help desk); every earlier code stops working. Needs an admin key.",
    response: { recoveryCodes },
  },
  overview: {
    tag: 'Admin',
    description: 'How far two-factor has been adopted in the tenant: users by status, users running out of recovery codes, recent enrollments, roles with users not yet enrolled. Needs an admin key.',
    response: {
      totalUsers: 120,
      enrolled: 90,
      pending: 6,
      notStarted: 24,
      enrollmentRate: 0.75,
      recoveryCodes: { low: 3, none: 1 },
      recentEnrollments: [{ userId, enrolledAt: time }],
      rolesWithoutTwoFactor: [{ role: 'admin', users: 2 }],
    },
  },
  listApiKeys: {
    tag: 'API keys',
    description: "The tenant's API keys: id, name, scope, the prefix to recognise one by and when it was last used (to the minute). Never a key itself. Needs an admin key.",
    response: { keys: [apiKey] },
  },
  createApiKey: {
    tag: 'API keys',
    description: 'Makes a new API key of scope `app` or `admin`. The key is in this answer only (Twofold keeps its hash): store it now. Needs an admin key.',
    request: { name: 'billing service', scope: 'app' },
    response: { keyId: apiKey.keyId, key: 'tf_3f9a1c0d2b4e6f70.Vb8c2Kq9XzR1mT4wLp7sN3hYd6Fg0Ja5Qe2Ux7Wi9Ok', name: 'billing service', scope: 'app', createdAt: time },
  },
  revokeApiKey: {
    tag: 'API keys',
    description:
      'Revokes an API key: it stops working at once in this container and within the API key cache time elsewhere. The last admin key of the tenant cannot be revoked (409 `last_admin_key`); an unknown key id: 404 `api_key_not_found`. Needs an admin key.',
  },
  importUsers: {
    tag: 'Admin',
    description:
      'Imports users with the factors they already use in another system (a migration), at most 1,000 a request: TOTP secrets (base32) are sealed on arrival exactly like enrolled ones and never returned, phones and addresses are checked as at enrolment, and every imported factor is active at once, so the user logs in with the authenticator app they already have. Each user is checked and written on its own: one that is not valid is listed in `failed` with its index and why, and nothing of it is written. A user that already has everything given is `unchanged` (nothing written, no event): a repeated import is harmless. One `factor.imported` event per factor imported. `npm run users:import` sends a JSON Lines file through this route. Needs an admin key.',
    request: { users: [{ userId: 'u_1001', email: 'ada@example.com', factors: [{ type: 'totp', secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }], recoveryCodes: ['7kq2-m9xd-4hpa-wc3e'] }, { userId: 'u_1002', factors: [{ type: 'totp', secret: 'not base32!' }] }] },
    response: { imported: 1, unchanged: 0, failed: [{ index: 1, userId: 'u_1002', error: { code: 'invalid_request', message: 'factors.0.secret: secret must be base32 (RFC 4648), 16 to 128 characters' } }] },
  },
  audit: {
    tag: 'Admin',
    description: 'Security events and admin actions, newest first, a page at a time; by user with `userId`. Needs an admin key.',
    response: { events: [{ type: 'factor.added', userId, at: time, actor: 'user', details: { factorId, factorType: 'totp' } }], nextCursor: null },
  },
};
