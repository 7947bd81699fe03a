/**
 * Security events leave the service (EventBridge, other accounts' subscribers), so they carry
 * ids, counts and times, and never a secret: a user is taken through every kind of event —
 * authenticator, SMS and email factors, logins with a remembered device, a recovery code, a
 * lockout and an unlock, regenerated codes, a removed factor, a policy change, an admin reset —
 * and the serialized events (as published, and as kept in the audit trail) are searched for
 * every secret, code, recovery code, token, key and the phone number in any of its forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvent } from '@twofold/contract';
import { wrongCodes } from '../support/authenticator';
import { challengeFor, enrolTotp, nextCode, type Twofold } from '../support/twofold';
import { publishedEvents, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
/** Everything that must never show in an event */
const secrets = new Set<string>();
const PHONE = '+33612345678';
const EMAIL = 'wes.private@example.com';

beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
});
afterAll(() => t?.stop());

/** The code in the newest message to `to`, from GET /_local/outbox. */
async function lastCodeTo(to: string): Promise<string> {
  const { messages } = (await (await fetch(`${t.baseUrl}/_local/outbox`)).json()) as { messages: { to: string; body: string }[] };
  const code = /\b(\d{6})\b/.exec(messages.filter((m) => m.to === to).at(-1)?.body ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  secrets.add(code);
  return code;
}

async function enrolByMessage(body: Record<string, unknown>, to: string): Promise<string> {
  const started = await t.app('POST', '/v1/users/wes/factors', body);
  expect(started.status).toBe(201);
  expect((await t.app('POST', `/v1/users/wes/factors/${started.body.factorId}/verify`, { code: await lastCodeTo(to) })).status).toBe(200);
  return started.body.factorId;
}

describe('a user goes through every kind of event', () => {
  it('produces each event type of the catalogue that the API can cause (all but the scheduled grace expiry)', async () => {
    for (const key of [t.tenant.appKey, t.tenant.adminKey, PHONE, EMAIL]) secrets.add(key);
    expect((await t.admin('PUT', '/v1/policy', { methods: { allowed: ['totp', 'sms', 'email'], default: 'totp' } })).status).toBe(200);
    const totp = await enrolTotp(t, t.app, 'wes');
    for (const s of [totp.secret, totp.otpauthUri, totp.confirmCode, totp.started.qrCode as string, ...totp.recoveryCodes]) secrets.add(s);
    const smsFactor = await enrolByMessage({ type: 'sms', phone: PHONE }, PHONE);
    await enrolByMessage({ type: 'email', email: EMAIL }, EMAIL);

    // a login by SMS code that remembers the device, and one with the authenticator
    const smsChallenge = await challengeFor(t.app, 'wes', { method: 'sms' });
    const bySms = await t.app('POST', `/v1/challenges/${smsChallenge}/verify`, { code: await lastCodeTo(PHONE), rememberDevice: true });
    expect(bySms.status).toBe(200);
    secrets.add(bySms.body.deviceToken).add(bySms.body.deviceToken.split('.')[1]).add(bySms.body.assertion);
    const code = await nextCode(t, totp.secret);
    secrets.add(code);
    expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'wes')}/verify`, { code })).status).toBe(200);

    // recovery codes down to the low mark
    for (const recoveryCode of totp.recoveryCodes.slice(0, 6)) {
      expect((await t.app('POST', `/v1/challenges/${await challengeFor(t.app, 'wes')}/verify`, { recoveryCode })).status).toBe(200);
    }

    // a lockout
    t.clock.advanceSeconds(30);
    const guesses = await wrongCodes(totp.secret, t.clock.nowMs(), 5);
    guesses.forEach((g) => secrets.add(g));
    const lockChallenge = await challengeFor(t.app, 'wes');
    for (const guess of guesses) await t.app('POST', `/v1/challenges/${lockChallenge}/verify`, { code: guess });
    expect((await t.admin('POST', '/v1/admin/users/wes/unlock')).status).toBe(204);

    const regenerated = await t.admin('POST', '/v1/users/wes/recovery-codes');
    expect(regenerated.status).toBe(201);
    for (const c of regenerated.body.recoveryCodes as string[]) secrets.add(c);
    expect((await t.admin('DELETE', `/v1/users/wes/factors/${smsFactor}`)).status).toBe(204);
    expect((await t.admin('POST', '/v1/admin/users/wes/reset')).status).toBe(204);

    const types = new Set((await publishedEvents(t.baseUrl)).map((e) => e.type));
    expect([...types].sort()).toEqual([
      'device.revoked',
      'device.trusted',
      'factor.added',
      'factor.removed',
      'policy.updated',
      'recovery_code.used',
      'recovery_codes.low',
      'recovery_codes.regenerated',
      'two_factor.disabled',
      'two_factor.enabled',
      'user.locked',
      'user.reset',
      'user.unlocked',
    ]);
  });

  it('every event has the envelope: eventId, type, tenantId: t.tenant.tenantId, userId, at, actor, and a flat detail of known fields', async () => {
    for (const event of await publishedEvents(t.baseUrl)) {
      expect(SecurityEvent.parse(event)).toEqual(event);
      // policy.updated is about the tenant, every other event about wes
      expect(event).toMatchObject({ tenantId: t.tenant.tenantId, userId: event.type === 'policy.updated' ? null : 'wes' });
      expect(['user', 'admin', 'system']).toContain(event.actor);
      expect(new Date(event.at).toISOString()).toBe(event.at);
      // a new detail field must come through here: it leaves the service
      // a policy change's before.<setting>/after.<setting> (a policy holds no secret); an admin's key by id and name
      for (const key of Object.keys(event.detail).filter((k) => !/^(before|after)\.[a-zA-Z.]+$/.test(k))) expect(['factorId', 'factorType', 'remaining', 'lockedUntil', 'deviceId', 'count', 'graceEndsAt', 'changed', 'byKeyId', 'byKeyName']).toContain(key);
    }
  });

  it('no secret, code, recovery code, token, key or phone number in the published events or the audit trail', async () => {
    const audit = await t.runtime.deps.outbox.list(t.tenant.tenantId, { limit: 100 });
    expect(audit.events.length).toBe((await publishedEvents(t.baseUrl)).length);
    // the phone number in any formatting: +33 6 12 34 56 78, 06.12.34.56.78, 33612345678
    const phoneAnyhow = new RegExp(PHONE.slice(3).split('').join('[\\s.()-]*'));
    for (const serialized of [JSON.stringify(await publishedEvents(t.baseUrl)), JSON.stringify(audit)]) {
      const haystack = serialized.toLowerCase();
      for (const secret of secrets) {
        expect(haystack).not.toContain(secret.toLowerCase());
        // recovery codes are accepted without their dashes too
        expect(haystack).not.toContain(secret.replace(/-/g, '').toLowerCase());
      }
      expect(serialized).not.toMatch(phoneAnyhow);
    }
  });
});
