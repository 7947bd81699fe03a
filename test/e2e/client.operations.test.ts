/**
 * @twofold/client against the local runtime, as a client app uses it: every operation it
 * exposes, its answers typed from the contract, and the contract's errors as TwofoldError with
 * their code, attemptsRemaining and retryAfterSeconds. Enrols with the QR code (zbarimg) and an
 * authenticator (oathtool), reads email codes from the outbox, and checks retries and
 * Idempotency-Key over the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwofoldClient, isTwofoldError, TwofoldError, type TwofoldClient } from '../../packages/client/src/index';
import { oathtool, parseOtpauthUri, wrongCode, zbarimg } from '../support/authenticator';
import { nextCode, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
let app: TwofoldClient;
let admin: TwofoldClient;
let secret: string;
let recoveryCodes: string[];
let assertion: string;

/** A new login's assertion: each is good for one sensitive operation. */
async function freshAssertion(): Promise<string> {
  const { challengeId } = await app.startChallenge(userId, { method: 'totp' });
  return (await app.verifyChallenge(challengeId!, { code: await nextCode(t, secret) })).assertion;
}

const userId = 'ada@example.com';

/** The rejection of `promise`, which must be a TwofoldError. */
async function refusal(promise: Promise<unknown>): Promise<TwofoldError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTwofoldError(error), String(error)).toBe(true);
  return error as TwofoldError;
}

async function lastEmailCode(to: string): Promise<string> {
  const mail = (await t.runtime.outbox()).filter((m) => m.to === to).at(-1);
  const code = /\b(\d{6})\b/.exec(mail?.body ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

const emailsTo = async (to: string) => (await t.runtime.outbox()).filter((m) => m.to === to).length;

beforeAll(async () => {
  t = await testService();
  app = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey });
  admin = createTwofoldClient({ baseUrl: `${t.baseUrl}/`, apiKey: t.tenant.adminKey });
});
afterAll(() => t?.stop());

describe('the service', () => {
  it('health, the signing keys and the OpenAPI document', async () => {
    expect(await app.health()).toEqual({ status: 'ok' });
    const { keys } = await app.jwks();
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    const doc = await app.openapi();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.servers).toEqual([{ url: t.baseUrl }]);
  });
});

describe('enrolling and the login step', () => {
  it('putUser and getUser: a new user has not started', async () => {
    const user = await app.putUser(userId, { email: userId, roles: ['staff'] });
    expect(user).toMatchObject({ userId, status: 'not_started', roles: ['staff'], factors: [] });
    expect((await app.getUser(userId)).status).toBe('not_started');
  });

  it('an unknown user is user_not_found (404)', async () => {
    const e = await refusal(app.getUser('nobody'));
    expect(e).toMatchObject({ code: 'user_not_found', status: 404, name: 'TwofoldError' });
    expect(e.message).toBeTruthy();
  });

  it('a user without a factor needs no code', async () => {
    expect(await app.startChallenge(userId)).toMatchObject({ required: false, reason: 'not_enrolled', challengeId: null });
  });

  it('createFactor (totp) → scan the QR code → verifyFactor with the authenticator: active, with recovery codes', async () => {
    const started = await app.createFactor(userId, { type: 'totp', label: 'Phone' });
    if (started.type !== 'totp') throw new Error(`expected a TOTP enrollment, got ${started.type}`);
    expect(started.status).toBe('pending');
    const key = parseOtpauthUri(await zbarimg(started.qrCode));
    expect(key.secret).toBe(started.secret);
    secret = key.secret;

    const wrong = await refusal(app.verifyFactor(userId, started.factorId, { code: await wrongCode(secret, t.clock.nowMs()) }));
    expect(wrong).toMatchObject({ code: 'invalid_code', status: 422 });
    expect(wrong.attemptsRemaining).toEqual(expect.any(Number));

    const verified = await app.verifyFactor(userId, started.factorId, { code: await oathtool(secret, t.clock.nowMs()) });
    expect(verified.status).toBe('active');
    recoveryCodes = verified.recoveryCodes ?? [];
    expect(recoveryCodes).toHaveLength(8);
    const { factors } = await app.listFactors(userId);
    expect(factors).toEqual([expect.objectContaining({ factorId: started.factorId, type: 'totp', status: 'active', label: 'Phone' })]);
  });

  it('startChallenge → a wrong code is invalid_code with attemptsRemaining → the right one verifies and remembers the device', async () => {
    const challenge = await app.startChallenge(userId, { context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0' } });
    expect(challenge).toMatchObject({ required: true, reason: 'two_factor_enabled', method: 'totp' });
    expect(challenge.methods).toEqual(expect.arrayContaining(['totp', 'recovery_code']));
    const challengeId = challenge.challengeId!;

    const wrong = await refusal(app.verifyChallenge(challengeId, { code: await wrongCode(secret, t.clock.nowMs()) }));
    expect(wrong).toMatchObject({ code: 'invalid_code', status: 422, attemptsRemaining: 4 });
    expect(await app.getChallenge(challengeId)).toMatchObject({ challengeId, userId, status: 'pending', method: 'totp', attemptsRemaining: 4 });

    const verified = await app.verifyChallenge(challengeId, { code: await nextCode(t, secret), rememberDevice: true });
    expect(verified).toMatchObject({ verified: true, challengeId, userId, method: 'totp', recoveryCodesRemaining: 8 });
    assertion = verified.assertion;
    expect(verified.deviceToken).toEqual(expect.any(String));

    const again = await refusal(app.verifyChallenge(challengeId, { code: await nextCode(t, secret) }));
    expect(again).toMatchObject({ code: 'challenge_already_verified', status: 409 });
  });

  it('a recovery code answers a challenge once', async () => {
    const { challengeId } = await app.startChallenge(userId, { method: 'recovery_code' });
    const verified = await app.verifyChallenge(challengeId!, { recoveryCode: recoveryCodes[0]! });
    expect(verified).toMatchObject({ method: 'recovery_code', recoveryCodesRemaining: 7 });
    const second = await app.startChallenge(userId);
    const reused = await refusal(app.verifyChallenge(second.challengeId!, { recoveryCode: recoveryCodes[0]! }));
    expect(reused.code).toBe('invalid_code');
  });

  it('too many wrong codes lock the user: locked (423) with retryAfterSeconds from Retry-After; unlockUser lifts it', async () => {
    const { challengeId } = await app.startChallenge(userId);
    let last: TwofoldError | undefined;
    for (let i = 0; i < 6 && last?.code !== 'locked'; i++) {
      t.clock.advanceSeconds(1);
      last = await refusal(app.verifyChallenge(challengeId!, { code: await wrongCode(secret, t.clock.nowMs()) }));
    }
    expect(last).toMatchObject({ code: 'locked', status: 423 });
    expect(last!.retryAfterSeconds).toBeGreaterThan(0);
    expect((await app.getUser(userId)).lockedUntil).not.toBeNull();

    await admin.unlockUser(userId);
    expect((await app.getUser(userId)).lockedUntil).toBeNull();
    const fresh = await app.startChallenge(userId);
    expect((await app.verifyChallenge(fresh.challengeId!, { code: await nextCode(t, secret) })).verified).toBe(true);
  });
});

describe('email codes, resend and Idempotency-Key', () => {
  it('an email factor: createFactor mails a code, verifyFactor confirms it', async () => {
    const started = await app.createFactor(userId, { type: 'email', email: userId });
    expect(started).toMatchObject({ type: 'email', status: 'pending', destination: 'a***@example.com' });
    expect((await app.verifyFactor(userId, started.factorId, { code: await lastEmailCode(userId) })).status).toBe('active');
  });

  it('resendChallenge twice with one Idempotency-Key sends one code and answers the same', async () => {
    const challenge = await app.startChallenge(userId, { method: 'email', idempotencyKey: 'login-1' });
    expect(challenge.method).toBe('email');
    t.clock.advanceSeconds(60);
    const before = await emailsTo(userId);
    const first = await app.resendChallenge(challenge.challengeId!, {}, { idempotencyKey: 'resend-1' });
    const repeat = await app.resendChallenge(challenge.challengeId!, {}, { idempotencyKey: 'resend-1' });
    expect(repeat).toEqual(first);
    expect(await emailsTo(userId)).toBe(before + 1);
    expect(first).toMatchObject({ method: 'email', resendsRemaining: 2 });
    expect((await app.verifyChallenge(challenge.challengeId!, { code: await lastEmailCode(userId) })).method).toBe('email');
  });

  it('the same Idempotency-Key for another request is idempotency_key_reused', async () => {
    await app.startChallenge(userId, { method: 'totp', idempotencyKey: 'login-2' });
    const e = await refusal(app.startChallenge(userId, { method: 'email', idempotencyKey: 'login-2' }));
    expect(e).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
  });

  it('asking for another code at once is rate_limited with retryAfterSeconds', async () => {
    const { challengeId } = await app.startChallenge(userId, { method: 'email' });
    const e = await refusal(app.resendChallenge(challengeId!));
    expect(e).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('recovery codes and devices', () => {
  it('getRecoveryCodes: the count; with a fresh assertion, the codes', async () => {
    const { remaining, codes } = await app.getRecoveryCodes(userId);
    expect(remaining).toBe(7);
    expect(codes).toBeUndefined();
    const shown = await app.getRecoveryCodes(userId, { assertion });
    expect(shown.codes).toHaveLength(7);
    expect(shown.codes).not.toContain(recoveryCodes[0]);
  });

  it('regenerateRecoveryCodes needs a fresh verification (fresh_verification_required), and with one makes a new set', async () => {
    expect(await refusal(app.regenerateRecoveryCodes(userId))).toMatchObject({ code: 'fresh_verification_required', status: 403 });
    // the login's assertion was spent on viewing the codes: one sensitive operation each
    expect(await refusal(app.regenerateRecoveryCodes(userId, { assertion }))).toMatchObject({ code: 'fresh_verification_required', status: 403 });
    const { recoveryCodes: fresh } = await app.regenerateRecoveryCodes(userId, { assertion: await freshAssertion() });
    expect(fresh).toHaveLength(8);
    expect(fresh).not.toContain(recoveryCodes[1]);
    const admins = await admin.adminRegenerateRecoveryCodes(userId);
    expect(admins.recoveryCodes).toHaveLength(8);
    expect((await app.getUser(userId)).recoveryCodesRemaining).toBe(8);
  });

  it('listDevices shows the remembered device; revokeDevice and revokeAllDevices forget', async () => {
    const { devices } = await app.listDevices(userId);
    expect(devices).toHaveLength(1);
    expect(devices[0]!.label).toMatch(/Firefox/);
    await app.revokeDevice(userId, devices[0]!.deviceId);
    expect((await app.listDevices(userId)).devices).toEqual([]);
    expect(await refusal(app.revokeDevice(userId, devices[0]!.deviceId))).toMatchObject({ code: 'device_not_found', status: 404 });

    const { challengeId } = await app.startChallenge(userId, { context: { userAgent: 'Mozilla/5.0 (Macintosh) Safari/17.0' } });
    await app.verifyChallenge(challengeId!, { code: await nextCode(t, secret), rememberDevice: true });
    expect((await app.listDevices(userId)).devices).toHaveLength(1);
    await app.revokeAllDevices(userId);
    expect((await app.listDevices(userId)).devices).toEqual([]);
  });
});

describe('policy and admin', () => {
  it('getPolicy with an app key; putPolicy with an admin key; an app key may not put (forbidden)', async () => {
    const policy = await app.getPolicy();
    expect(policy.maxInvalidAttempts).toBe(5);
    const updated = await admin.putPolicy({ ...policy, lockoutSeconds: 900 });
    expect(updated.lockoutSeconds).toBe(900);
    expect((await app.getPolicy()).lockoutSeconds).toBe(900);
    expect(await refusal(app.putPolicy({ lockoutSeconds: 60 }))).toMatchObject({ code: 'forbidden', status: 403 });
    const invalid = await refusal(admin.putPolicy({ methods: { allowed: ['email'], default: 'totp' } }));
    expect(invalid).toMatchObject({ code: 'invalid_policy', status: 422 });
  });

  it('listUsers, overview and audit', async () => {
    const { users, nextCursor } = await admin.listUsers({ status: 'enrolled', limit: 10 });
    expect(users.map((u) => u.userId)).toContain(userId);
    expect(nextCursor).toBeNull();
    const overview = await admin.overview();
    expect(overview).toMatchObject({ enrolled: 1 });
    const { events } = await admin.audit({ userId });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['user.unlocked', 'factor.added']));
    expect(await refusal(app.overview())).toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('deleteFactor and disableTwoFactor need a fresh verification; resetUser starts the user over', async () => {
    const { factors } = await app.listFactors(userId);
    const email = factors.find((f) => f.type === 'email')!;
    expect(await refusal(app.deleteFactor(userId, email.factorId))).toMatchObject({ code: 'fresh_verification_required' });
    await app.deleteFactor(userId, email.factorId, { assertion: await freshAssertion() });
    expect((await app.listFactors(userId)).factors.map((f) => f.type)).toEqual(['totp']);

    await admin.resetUser(userId);
    expect((await app.getUser(userId)).status).toBe('not_started');
  });

  it('disableTwoFactor with a fresh assertion turns two-factor off', async () => {
    const other = 'grace@example.com';
    const started = await app.createFactor(other, { type: 'totp' });
    if (started.type !== 'totp') throw new Error('expected totp');
    await app.verifyFactor(other, started.factorId, { code: await oathtool(started.secret, t.clock.nowMs()) });
    const { challengeId } = await app.startChallenge(other);
    const { assertion: theirs } = await app.verifyChallenge(challengeId!, { code: await nextCode(t, started.secret) });
    expect(await refusal(app.disableTwoFactor(other))).toMatchObject({ code: 'fresh_verification_required', status: 403 });
    await app.disableTwoFactor(other, { assertion: theirs });
    expect((await app.getUser(other)).status).toBe('not_started');
  });

  it('patchPolicy changes only the fields sent, as application/merge-patch+json; null resets a field to its default', async () => {
    const before = await app.getPolicy();
    const sent: (string | null)[] = [];
    const recording = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.adminKey, fetch: (request) => (sent.push(request.headers.get('content-type')), globalThis.fetch(request)) });
    const patched = await recording.patchPolicy({ resendLimit: 5, trustedDevices: { days: 7 }, messages: { appName: 'Acme' } });
    expect(sent).toEqual(['application/merge-patch+json']);
    expect(patched).toMatchObject({ resendLimit: 5, trustedDevices: { enabled: before.trustedDevices.enabled, days: 7 }, lockoutSeconds: before.lockoutSeconds, messages: { appName: 'Acme' } });
    const reset = await admin.patchPolicy({ resendLimit: null, messages: { appName: null } });
    expect(reset.resendLimit).toBe(3);
    expect(reset.messages.appName).toBeUndefined();
    expect(reset.trustedDevices.days).toBe(7);
    expect(await refusal(admin.patchPolicy({ maxInvalidAttempts: 4 as never }))).toMatchObject({ code: 'invalid_policy', status: 422 });
    expect(await refusal(app.patchPolicy({ resendLimit: 5 }))).toMatchObject({ code: 'forbidden', status: 403 });
    expect((await app.getPolicy()).resendLimit).toBe(3);
  });

  it('createApiKey shows a key once, and it works; listApiKeys never shows one; revokeApiKey stops it; the last admin key stays', async () => {
    const created = await admin.createApiKey({ name: 'billing service', scope: 'app' });
    expect(created).toMatchObject({ name: 'billing service', scope: 'app', keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const billing = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: created.key });
    expect((await billing.getUser(userId)).userId).toBe(userId);

    const { keys } = await admin.listApiKeys();
    const listed = keys.find((k) => k.keyId === created.keyId);
    expect(listed).toMatchObject({ name: 'billing service', scope: 'app', prefix: `tf_${created.keyId}` });
    expect(JSON.stringify(keys)).not.toContain(created.key);
    expect(await refusal(app.listApiKeys())).toMatchObject({ code: 'forbidden', status: 403 });

    await admin.revokeApiKey(created.keyId);
    expect(await refusal(billing.getUser(userId))).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((await admin.listApiKeys()).keys.map((k) => k.keyId)).not.toContain(created.keyId);
    expect(await refusal(admin.revokeApiKey(created.keyId))).toMatchObject({ code: 'api_key_not_found', status: 404 });

    const admins = (await admin.listApiKeys()).keys.filter((k) => k.scope === 'admin');
    expect(admins).toHaveLength(1);
    expect(await refusal(admin.revokeApiKey(admins[0]!.keyId))).toMatchObject({ code: 'last_admin_key', status: 409 });
  });

  it('deleteUser erases the user: getUser is user_not_found after, and a second deleteUser too', async () => {
    const gone = 'erase-me@example.com';
    await app.putUser(gone, { email: gone });
    await app.createFactor(gone, { type: 'totp' });
    await app.deleteUser(gone);
    expect(await refusal(app.getUser(gone))).toMatchObject({ code: 'user_not_found', status: 404 });
    expect(await refusal(app.deleteUser(gone))).toMatchObject({ code: 'user_not_found', status: 404 });
  });

  it('a wrong API key is unauthorized (401)', async () => {
    const stranger = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: 'tf_not_a_key' });
    expect(await refusal(stranger.getUser(userId))).toMatchObject({ code: 'unauthorized', status: 401 });
  });
});

describe('retries', () => {
  /** A fetch that answers the first `failures` requests with `status` itself, then lets them through. */
  function flaky(failures: number, status: number, headers: Record<string, string> = {}) {
    const seen: string[] = [];
    let left = failures;
    const fetch = async (request: Request) => {
      seen.push(`${request.method} ${request.headers.get('idempotency-key') ? 'keyed' : 'plain'}`);
      if (left-- > 0) return new Response(JSON.stringify({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } }), { status, headers: { 'content-type': 'application/json', ...headers } });
      return globalThis.fetch(request);
    };
    return { fetch, seen };
  }

  it('a GET that meets a 503 is retried with backoff and succeeds', async () => {
    const { fetch, seen } = flaky(2, 503);
    const client = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: { retries: 2, baseDelayMs: 1 }, fetch });
    expect((await client.getPolicy()).lockoutSeconds).toBe(900);
    expect(seen).toEqual(['GET plain', 'GET plain', 'GET plain']);
  });

  it('without retry, or past the retries, the 5xx is a TwofoldError', async () => {
    const once = flaky(1, 503);
    const noRetry = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, fetch: once.fetch });
    expect(await refusal(noRetry.getPolicy())).toMatchObject({ code: 'internal_error', status: 503 });
    const many = flaky(5, 502);
    const retrying = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: { retries: 1, baseDelayMs: 1 }, fetch: many.fetch });
    expect(await refusal(retrying.getPolicy())).toMatchObject({ status: 502 });
    expect(many.seen).toHaveLength(2);
  });

  it('answering a challenge (a POST without Idempotency-Key) is never sent twice', async () => {
    const { fetch, seen } = flaky(1, 500);
    const client = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: { baseDelayMs: 1 }, fetch });
    expect(await refusal(client.verifyChallenge('ch_AAAAAAAAAAAAAAAAAAAAAA', { code: '123456' }))).toMatchObject({ status: 500 });
    expect(seen).toEqual(['POST plain']);
  });

  it('with retries on, starting a challenge carries an Idempotency-Key of its own and is retried', async () => {
    const { fetch, seen } = flaky(1, 502);
    const client = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: { baseDelayMs: 1 }, fetch });
    expect((await client.startChallenge(userId)).reason).toBe('not_enrolled');
    expect(seen).toEqual(['POST keyed', 'POST keyed']);
  });

  it('a 429 is retried after a short Retry-After, not after a long one; retryAfterSeconds comes from the header', async () => {
    const short = flaky(1, 429, { 'retry-after': '0' });
    const client = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: { baseDelayMs: 1 }, fetch: short.fetch });
    expect((await client.getPolicy()).lockoutSeconds).toBe(900);
    expect(short.seen).toHaveLength(2);
    const long = flaky(1, 429, { 'retry-after': '3600' });
    const patient = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, retry: true, fetch: long.fetch });
    const e = await refusal(patient.getPolicy());
    expect(e).toMatchObject({ status: 429, retryAfterSeconds: 3600 });
    expect(long.seen).toHaveLength(1);
  });

  it('an answer that is not a Twofold error (a proxy page) is unexpected_response with its status', async () => {
    const client = createTwofoldClient({ baseUrl: t.baseUrl, apiKey: t.tenant.appKey, fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    expect(await refusal(client.health())).toMatchObject({ code: 'unexpected_response', status: 502 });
  });
});
