/**
 * The lockout notice (issue 23, ASVS 5.0 6.3.4): after a lockout the event relay tells the user by
 * email, at the address on file, in their language, once per lockout however many relays run
 * (again, or at once), and records `user.lockout_notified` once. The email carries no code. A
 * user without an address gets the event with channel `none` and no mail. A later lockout is a
 * new notice. A sender that fails loses that notice and the next runs send nothing (at most once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailSender } from '@twofold/core';
import { startLocalRuntime, type LocalRuntime } from '@twofold/local/runtime';
import { api } from '../support/api';
import { wrongCodes } from '../support/authenticator';
import { ManualClock } from '../support/fakes';
import { challengeFor, enrolTotp, tally, type Twofold } from '../support/twofold';
import { testService } from '../support/test-service';

const LOCKOUT_SECONDS = 600;

let t: Twofold;
beforeAll(async () => {
  t = await testService({ tenantName: 'Acme Corp' });
});
afterAll(() => t?.stop());

/** Enrols TOTP, then 10 wrong codes at once: 5 counted, the user locked, 5 refused as locked. */
async function lockOut(on: Pick<Twofold, 'clock' | 'app'>, userId: string, secret?: string): Promise<string> {
  const key = secret ?? (await enrolTotp(on, on.app, userId)).secret;
  on.clock.advanceSeconds(30);
  const challengeId = await challengeFor(on.app, userId);
  const results = await Promise.all((await wrongCodes(key, on.clock.nowMs(), 10)).map((code) => on.app('POST', `/v1/challenges/${challengeId}/verify`, { code })));
  expect(tally(results)).toEqual({ 422: 5, 423: 5 });
  return key;
}

const mailsTo = async (to: string) => (await t.runtime.outbox()).filter((m) => m.to === to);

/** The recorded events (the audit trail) of the user, oldest first. */
async function recorded(runtime: LocalRuntime, tenantId: string, userId: string, type: string) {
  const { events } = await runtime.deps.outbox.list(tenantId, { userId, limit: 100 });
  return events.filter((e) => e.type === type).reverse();
}

describe('the lockout notice', () => {
  it('parallel lockers, then the relay twice and two at once: one email in the user locale, no code, one user.lockout_notified', async () => {
    expect((await t.app('PUT', '/v1/users/lena', { email: 'lena@example.com', locale: 'fr-CA' })).status).toBe(200);
    await lockOut(t, 'lena');
    // the login's hot path sends no mail: the relay does
    expect(await mailsTo('lena@example.com')).toEqual([]);
    await t.runtime.relayEvents();
    await t.runtime.relayEvents();
    await Promise.all([t.runtime.relayEvents(), t.runtime.relayEvents()]);

    const mails = await mailsTo('lena@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Acme Corp : connexion bloquée après trop de codes erronés');
    expect(mails[0]!.body).toContain(`bloquée pendant ${LOCKOUT_SECONDS / 60} minutes`);
    expect(mails[0]!.body).not.toMatch(/\d{6}/);

    const [lock, ...moreLocks] = await recorded(t.runtime, t.tenant.tenantId, 'lena', 'user.locked');
    expect(moreLocks).toEqual([]);
    const notified = await recorded(t.runtime, t.tenant.tenantId, 'lena', 'user.lockout_notified');
    expect(notified).toEqual([expect.objectContaining({ actor: 'system', detail: { lockEventId: lock!.eventId, channel: 'email' } })]);
    // and it is published, like any event
    expect(t.runtime.events().filter((e) => e.type === 'user.lockout_notified' && e.userId === 'lena')).toHaveLength(1);
  });

  it('the address of an active email factor is the address on file too', async () => {
    const r = await t.app('POST', '/v1/users/femi/factors', { type: 'email', email: 'femi@example.com' });
    expect(r.status, r.text).toBe(201);
    const code = /\b(\d{6})\b/.exec((await mailsTo('femi@example.com')).at(-1)!.body)![1]!;
    expect((await t.app('POST', `/v1/users/femi/factors/${r.body.factorId}/verify`, { code })).status).toBe(200);
    await lockOut(t, 'femi');
    await Promise.all([t.runtime.relayEvents(), t.runtime.relayEvents()]);
    const notices = (await mailsTo('femi@example.com')).filter((m) => /locked/.test(m.subject ?? ''));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe('Acme Corp: sign-in locked after too many wrong codes');
  });

  it('a user without an address: no mail, and the event says channel none', async () => {
    const before = (await t.runtime.outbox()).length;
    await lockOut(t, 'noah');
    await Promise.all([t.runtime.relayEvents(), t.runtime.relayEvents()]);
    await t.runtime.relayEvents();
    expect((await t.runtime.outbox()).length).toBe(before);
    const notified = await recorded(t.runtime, t.tenant.tenantId, 'noah', 'user.lockout_notified');
    expect(notified).toEqual([expect.objectContaining({ detail: expect.objectContaining({ channel: 'none' }) })]);
  });

  it('a second lockout after the first ended is a second notice', async () => {
    expect((await t.app('PUT', '/v1/users/omar', { email: 'omar@example.com' })).status).toBe(200);
    const secret = await lockOut(t, 'omar');
    await t.runtime.relayEvents();
    t.clock.advanceSeconds(LOCKOUT_SECONDS + 1);
    await lockOut(t, 'omar', secret);
    await Promise.all([t.runtime.relayEvents(), t.runtime.relayEvents()]);
    await t.runtime.relayEvents();
    expect(await mailsTo('omar@example.com')).toHaveLength(2);
    const locks = await recorded(t.runtime, t.tenant.tenantId, 'omar', 'user.locked');
    const notified = await recorded(t.runtime, t.tenant.tenantId, 'omar', 'user.lockout_notified');
    expect(locks).toHaveLength(2);
    expect(notified.map((e) => e.detail.lockEventId).sort()).toEqual(locks.map((e) => e.eventId).sort());
  });
});

class FlakyEmail implements EmailSender {
  sent: { to: string; subject: string; text: string }[] = [];
  failures = 1;
  async send(message: { to: string; subject: string; text: string }) {
    if (this.failures-- > 0) throw Object.assign(new Error('MessageRejected'), { name: 'MessageRejected' });
    this.sent.push(message);
  }
}

describe('the email sender failing', () => {
  it('the notice is claimed before it is sent: a failed send is lost, and the next runs send nothing twice', async () => {
    const clock = new ManualClock();
    const email = new FlakyEmail();
    const runtime = await startLocalRuntime({ port: 0, clock, graceTimer: false, senders: { email } });
    try {
      const tenant = await runtime.createTenant('Acme Corp');
      const on = { clock, app: api(runtime.baseUrl, tenant.appKey) };
      expect((await on.app('PUT', '/v1/users/pia', { email: 'pia@example.com' })).status).toBe(200);
      const secret = await lockOut(on, 'pia');
      await runtime.relayEvents();
      expect(email.sent).toEqual([]);
      await Promise.all([runtime.relayEvents(), runtime.relayEvents()]);
      await runtime.relayEvents();
      expect(email.sent).toEqual([]);
      expect(await recorded(runtime, tenant.tenantId, 'pia', 'user.lockout_notified')).toHaveLength(1);

      // the sender works again: the next lockout is told, once
      clock.advanceSeconds(LOCKOUT_SECONDS + 1);
      await lockOut(on, 'pia', secret);
      await Promise.all([runtime.relayEvents(), runtime.relayEvents()]);
      expect(email.sent.map((m) => m.to)).toEqual(['pia@example.com']);
      expect(email.sent[0]!.text).not.toMatch(/\d{6}/);
      expect(await recorded(runtime, tenant.tenantId, 'pia', 'user.lockout_notified')).toHaveLength(2);
    } finally {
      await runtime.stop();
    }
  });
});
