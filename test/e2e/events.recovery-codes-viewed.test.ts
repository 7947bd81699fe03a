/**
 * Reading a user's unused recovery codes is reading working credentials: an admin key that
 * lists them (no fresh verification asked of admins) must leave a trace. Each reveal records
 * `recovery_codes.viewed` (actor admin for an admin key, user with a fresh verification), in the
 * audit trail and on the bus, with the count only, never a code; the count alone is not audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolTotp, type Enrolment, type Twofold } from '../support/twofold';
import { eventsOf, freshAssertion, startTwofoldWithEvents } from '../support/events';

let t: Twofold & { relayTimerTick(): void };
let enrolment: Enrolment;
beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
  enrolment = await enrolTotp(t, t.app, 'vera');
});
afterAll(() => t?.stop());

const viewed = async () => (await eventsOf(t, 'vera')).filter((e) => e.type === 'recovery_codes.viewed');

describe('recovery codes viewed', () => {
  it('the count alone (an app key without a fresh verification) is not audited', async () => {
    const r = await t.app('GET', '/v1/users/vera/recovery-codes');
    expect(r.body).toEqual({ remaining: 8 });
    expect(await viewed()).toEqual([]);
  });

  it('an admin key reading the codes records recovery_codes.viewed with actor admin, in the audit trail and on the bus, without the codes', async () => {
    const r = await t.admin('GET', '/v1/users/vera/recovery-codes');
    expect(r.status).toBe(200);
    expect(r.body.codes).toEqual(enrolment.recoveryCodes);
    const events = await viewed();
    expect(events).toEqual([expect.objectContaining({ type: 'recovery_codes.viewed', tenantId: t.tenant.tenantId, userId: 'vera', actor: 'admin', detail: { remaining: 8, byKeyId: expect.any(String), byKeyName: 'initial admin key' } })]);
    const audit = await t.admin('GET', '/v1/admin/audit?userId=vera');
    expect(audit.body.events.find((e: { type: string }) => e.type === 'recovery_codes.viewed')).toMatchObject({ type: 'recovery_codes.viewed', userId: 'vera', actor: 'admin', details: { remaining: 8 } });
    const dump = JSON.stringify([events, audit.body]);
    for (const code of enrolment.recoveryCodes) expect(dump).not.toContain(code);
  });

  it('the user, with a fresh verification, viewing them is recorded with actor user', async () => {
    const fresh = await freshAssertion(t, t.app, 'vera', enrolment.secret);
    const r = await t.app('GET', '/v1/users/vera/recovery-codes', undefined, { headers: fresh });
    expect(r.body.codes).toHaveLength(8);
    expect((await viewed()).map((e) => e.actor)).toEqual(['admin', 'user']);
  });
});
