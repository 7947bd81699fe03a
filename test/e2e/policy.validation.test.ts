/**
 * The policy over HTTP: defaults as in the contract, every invalid variant refused with 422
 * invalid_policy naming the field, admin-only writes, and a change that applies from the next
 * challenge while live challenges keep the limits they started with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeFor, enrolTotp, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

let t: Twofold;
beforeAll(async () => {
  t = await testService();
});
afterAll(() => t.stop());

const CONTRACT_DEFAULTS = {
  enabled: true,
  enforcement: { mode: 'optional', roles: [], exemptSso: true, gracePeriodDays: 7, graceEndsAt: null },
  prompt: 'every_login',
  methods: { allowed: ['totp', 'email'], default: 'totp', allowFallback: true, roleRules: [] },
  authenticatorEnrollment: 'optional',
  codeTimeoutSeconds: 600,
  maxInvalidAttempts: 5,
  lockoutSeconds: 600,
  resendLimit: 3,
  recoveryCodes: { count: 8 },
  totp: { issuer: 'Acme Corp', digits: 6, period: 30, algorithm: 'sha1', window: 1 },
  trustedDevices: { enabled: true, days: 30 },
  freshVerificationSeconds: 300,
  assurance: { emailCountsAsMfa: false },
  emailCodeOnUnrecognizedDevice: false,
  auditRetentionDays: 365,
  sms: { allowedCountries: [] },
  webauthn: { rpId: null, rpName: null, origins: [], userVerification: 'preferred' },
  // ops: the texts of codes; absent templates mean the built-in texts in the user's language
  messages: { defaultLocale: 'en', sms: {}, email: {} },
  hostedPrompt: { redirectUris: [], branding: {} },
};

describe('GET /v1/policy', () => {
  it('an app key reads the policy; a new tenant has the contract defaults (issuer: the tenant name)', async () => {
    const r = await t.app('GET', '/v1/policy');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(CONTRACT_DEFAULTS);
  });
});

describe('PUT /v1/policy', () => {
  it('an app key cannot change the policy: 403 forbidden', async () => {
    const r = await t.app('PUT', '/v1/policy', CONTRACT_DEFAULTS);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  });

  it('an admin key replaces it; absent fields take their defaults', async () => {
    const r = await t.admin('PUT', '/v1/policy', { codeTimeoutSeconds: 300, methods: { allowed: ['totp'], default: 'totp' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ codeTimeoutSeconds: 300, maxInvalidAttempts: 5, methods: { allowed: ['totp'], default: 'totp', allowFallback: true } });
    expect((await t.app('GET', '/v1/policy')).body).toEqual(r.body);
    // the defaults again
    expect((await t.admin('PUT', '/v1/policy', CONTRACT_DEFAULTS)).status).toBe(200);
  });

  const invalid: [string, unknown, string][] = [
    ['default method not allowed', { methods: { allowed: ['totp'], default: 'email' } }, 'methods.default'],
    ['no method', { methods: { allowed: [], default: 'totp' } }, 'methods.allowed'],
    ['a method listed twice', { methods: { allowed: ['totp', 'totp'], default: 'totp' } }, 'methods.allowed'],
    ['an unknown method', { methods: { allowed: ['totp', 'carrier-pigeon'], default: 'totp' } }, 'methods.allowed'],
    ['authenticator required without totp', { methods: { allowed: ['email'], default: 'email' }, authenticatorEnrollment: 'required' }, 'authenticatorEnrollment'],
    ['roles mode without roles', { enforcement: { mode: 'roles', roles: [] } }, 'enforcement.roles'],
    ['an unknown enforcement mode', { enforcement: { mode: 'sometimes' } }, 'enforcement.mode'],
    ['a negative grace period', { enforcement: { mode: 'all', gracePeriodDays: -1 } }, 'enforcement.gracePeriodDays'],
    ['a grace deadline that is not a time', { enforcement: { mode: 'all', graceEndsAt: 'next tuesday' } }, 'enforcement.graceEndsAt'],
    ['codeTimeoutSeconds off the list', { codeTimeoutSeconds: 123 }, 'codeTimeoutSeconds'],
    ['maxInvalidAttempts off the list', { maxInvalidAttempts: 4 }, 'maxInvalidAttempts'],
    ['resendLimit off the list', { resendLimit: 10 }, 'resendLimit'],
    ['lockoutSeconds too short', { lockoutSeconds: 5 }, 'lockoutSeconds'],
    ['a prompt mode that does not exist', { prompt: 'never' }, 'prompt'],
    ['enabled as a string', { enabled: 'yes' }, 'enabled'],
    ['too few recovery codes', { recoveryCodes: { count: 1 } }, 'recoveryCodes.count'],
    ['an unsupported TOTP digit count', { totp: { digits: 7 } }, 'totp.digits'],
    ['a TOTP window too wide', { totp: { window: 10 } }, 'totp.window'],
    ['trusted devices for zero days', { trustedDevices: { days: 0 } }, 'trustedDevices.days'],
    ['freshVerificationSeconds too long', { freshVerificationSeconds: 99999 }, 'freshVerificationSeconds'],
    ['a country that is not ISO 3166 alpha-2', { sms: { allowedCountries: ['France'] } }, 'sms.allowedCountries'],
    ['an unknown field (a typo)', { codeTimeoutSecs: 300 }, 'codeTimeoutSecs'],
    ['a field of the wrong type', { methods: 'totp' }, 'methods'],
  ];
  it.each(invalid)('%s: 422 invalid_policy naming %s', async (_name, body, field) => {
    const r = await t.admin('PUT', '/v1/policy', body);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.code).toBe('invalid_policy');
    expect(r.body.error.message).toContain(field);
    // nothing changed
    expect((await t.app('GET', '/v1/policy')).body).toEqual(CONTRACT_DEFAULTS);
  });

  it('malformed JSON is still 400 invalid_request', async () => {
    const r = await t.admin('PUT', '/v1/policy', undefined, { raw: '{"enabled": tru' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request');
  });
});

describe('SMS where the deployment can send it', () => {
  it('with one (the local SMS outbox), it is accepted', async () => {
    const r = await t.admin('PUT', '/v1/policy', { methods: { allowed: ['totp', 'sms'], default: 'totp' } });
    expect(r.status, r.text).toBe(200);
    await t.admin('PUT', '/v1/policy', CONTRACT_DEFAULTS);
  });
});

describe('a changed policy applies from the next challenge', () => {
  it('a lowered attempt limit reaches a live challenge too (the stricter of both); a new one gets the new limit', async () => {
    await enrolTotp(t, t.app, 'pat');
    const live = await challengeFor(t.app, 'pat');
    expect((await t.app('GET', `/v1/challenges/${live}`)).body.attemptsRemaining).toBe(5);
    expect((await t.admin('PUT', '/v1/policy', { ...CONTRACT_DEFAULTS, maxInvalidAttempts: 3 })).status).toBe(200);
    expect((await t.app('GET', `/v1/challenges/${live}`)).body.attemptsRemaining).toBe(3);
    const next = await challengeFor(t.app, 'pat');
    expect((await t.app('GET', `/v1/challenges/${next}`)).body.attemptsRemaining).toBe(3);
    await t.admin('PUT', '/v1/policy', CONTRACT_DEFAULTS);
  });

  it('every change is in the audit trail, with the admin as actor and the fields changed', async () => {
    const events = (await t.admin('GET', '/v1/admin/audit')).body.events.filter((e: { type: string }) => e.type === 'policy.updated');
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[0]).toMatchObject({ type: 'policy.updated', userId: null, actor: 'admin' });
    expect(events.some((e: { details: { changed: string } }) => e.details.changed.includes('maxInvalidAttempts'))).toBe(true);
  });
});
