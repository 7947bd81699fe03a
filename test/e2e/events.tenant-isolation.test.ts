/**
 * Two tenants, each with a user called alice: every event names the tenant whose key did the
 * action, so a subscriber filtering on tenantId never gets the other's; turning 2FA off in one
 * tenant emits nothing for the other's alice; the audit trail of a tenant (and of its alice)
 * holds only its own events; and another tenant's key acting on a challenge emits nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewTenant } from '@twofold/core';
import { api, type Api } from '../support/api';
import { wrongCode } from '../support/authenticator';
import { challengeFor, enrolTotp, type Enrolment, type Twofold } from '../support/twofold';
import { freshAssertion, publishedEvents, startTwofoldWithEvents } from '../support/events';

let t: Twofold;
let other: NewTenant;
let otherApp: Api;
let alice: Enrolment;
let otherAlice: Enrolment;

beforeAll(async () => {
  t = await startTwofoldWithEvents({ storage: 'memory' });
  other = await t.runtime.createTenant('Other Corp');
  otherApp = api(t.baseUrl, other.appKey);
  alice = await enrolTotp(t, t.app, 'alice');
  otherAlice = await enrolTotp(t, otherApp, 'alice');
});
afterAll(() => t?.stop());

const typesIn = async (tenantId: string) => (await publishedEvents(t.baseUrl)).filter((e) => e.tenantId === tenantId).map((e) => e.type);

describe('events of two tenants with a user of the same id', () => {
  it('each enrolment is an event of its own tenant, with its own factor', async () => {
    const events = await publishedEvents(t.baseUrl);
    expect(events.map((e) => [e.tenantId, e.type, e.detail.factorId ?? null])).toEqual([
      [t.tenant.tenantId, 'factor.added', alice.factorId],
      [t.tenant.tenantId, 'two_factor.enabled', null],
      [other.tenantId, 'factor.added', otherAlice.factorId],
      [other.tenantId, 'two_factor.enabled', null],
    ]);
  });

  it("another tenant's key on this tenant's challenge: 404, and no event anywhere", async () => {
    const before = (await publishedEvents(t.baseUrl)).length;
    const challengeId = await challengeFor(t.app, 'alice');
    const code = await wrongCode(alice.secret, t.clock.nowMs());
    for (let i = 0; i < 6; i++) expect((await otherApp('POST', `/v1/challenges/${challengeId}/verify`, { code })).status).toBe(404);
    expect((await publishedEvents(t.baseUrl)).length).toBe(before);
  });

  it("turning 2FA off in one tenant emits two_factor.disabled for that tenant only; the other's alice is untouched", async () => {
    const fresh = await freshAssertion(t, t.app, 'alice', alice.secret);
    expect((await t.app('DELETE', '/v1/users/alice/two-factor', undefined, { headers: fresh })).status).toBe(204);
    expect(await typesIn(t.tenant.tenantId)).toEqual(['factor.added', 'two_factor.enabled', 'two_factor.disabled']);
    expect(await typesIn(other.tenantId)).toEqual(['factor.added', 'two_factor.enabled']);
    expect((await otherApp('GET', '/v1/users/alice')).body.status).toBe('enrolled');
  });

  it("each tenant's audit trail, whole or of alice, holds only its own events, newest first", async () => {
    for (const [tenantId, count] of [
      [t.tenant.tenantId, 3],
      [other.tenantId, 2],
    ] as const) {
      for (const options of [{ limit: 50 }, { userId: 'alice', limit: 50 }]) {
        const { events } = await t.runtime.deps.outbox.list(tenantId, options);
        expect(events).toHaveLength(count);
        expect(events.every((e) => e.tenantId === tenantId)).toBe(true);
        expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort().reverse());
      }
    }
  });
});
