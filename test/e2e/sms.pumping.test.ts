/**
 * SMS pumping: an attacker enrols numbers that pay them per message received (premium rate,
 * shared cost) or that cannot read a text at all, and makes Twofold send to them. With the full
 * phone metadata only mobiles of an allowed country are accepted, at enrolment and at every
 * send; and a send refused for any reason never uses up a sending quota of the real user.
 */
import { changeUser, type FactorRecord } from '@twofold/core';
import { Policy } from '@twofold/contract';
import { getExampleNumber } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/examples.mobile.json';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

const CACHE_SECONDS = 31; // the functions cache the tenant (policy) for 30 s

describe('numbers that are not mobiles are refused at enrolment with 422, and nothing is sent', () => {
  let h: OtpHarness;
  beforeAll(async () => {
    h = await startOtpHarness();
  });
  afterAll(() => h.stop());
  afterEach(async () => expect(await h.messages()).toEqual([]));

  it.each([
    ['a French premium-rate number', '+33 8 99 70 12 34', /premium rate/],
    ['a Latvian premium-rate number', '+371 90 012 345', /premium rate/],
    ['a British premium-rate number', '+44 871 234 5678', /premium rate/],
    ['a US premium-rate number', '+1 900 555 1234', /premium rate/],
    ['a French shared-cost number', '+33 8 10 12 34 56', /shared cost/],
    ['a French toll-free number', '+33 8 00 12 34 56', /toll free/],
    ['a French VoIP number', '+33 9 12 34 56 78', /voip/],
    ['a French landline', '+33 1 23 45 67 89', /fixed line/],
    ['a British landline', '+44 20 7183 8750', /fixed line/],
    ['an Iridium satellite phone (+881)', '+881 6 1234 5678', /global network/],
    ['a Thuraya satellite number (+882)', '+882 16 123 456', /global network/],
  ])('%s', async (_, phone, why) => {
    const r = await h.call('POST', '/v1/users/mallory/factors', { type: 'sms', phone });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('phone_number_not_allowed');
    expect(r.body.error.message).toMatch(why);
  });
});

describe('mobiles are accepted', () => {
  it.each(['FR', 'GB', 'US', 'LV', 'DE'] as const)('a %s mobile (libphonenumber example) is enrolled and sent its code', async (country) => {
    const h = await startOtpHarness();
    try {
      const phone = getExampleNumber(country, mobileExamples)!.number;
      const r = await h.call('POST', `/v1/users/${country}/factors`, { type: 'sms', phone });
      expect(r.status).toBe(201);
      expect((await h.messages()).map((m) => m.to)).toEqual([phone]);
      const confirmed = await h.call('POST', `/v1/users/${country}/factors/${r.body.factorId}/verify`, { code: await h.lastCode(phone) });
      expect(confirmed.status).toBe(200);
    } finally {
      await h.stop();
    }
  });
});

describe('every send checks the policy as it is now', () => {
  const PHONE = '+33612345678';
  let h: OtpHarness;
  beforeAll(async () => {
    h = await startOtpHarness();
  });
  afterAll(() => h.stop());

  const enrolPhone = async (userId: string) => {
    const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'sms', phone: PHONE });
    expect(started.status).toBe(201);
    expect((await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(PHONE) })).status).toBe(200);
  };
  const setPolicy = async (allowedCountries: string[]) => {
    await h.runtime.deps.tenants.putPolicy(h.tenantId, Policy.parse({ methods: { allowed: ['totp', 'sms', 'email'], default: 'sms' }, sms: { allowedCountries } }));
    h.clock.advanceSeconds(CACHE_SECONDS);
  };

  it('a country taken off sms.allowedCountries gets no more codes: challenge and resend answer 422, nothing is sent', async () => {
    await setPolicy([]);
    await enrolPhone('ulla');
    const sentBefore = (await h.messages()).length;
    // during a pumping attack the tenant narrows the allow-list to GB
    await setPolicy(['GB']);
    const challenge = await h.call('POST', '/v1/users/ulla/challenges', { method: 'sms' });
    expect(challenge.status).toBe(422);
    expect(challenge.body.error.code).toBe('phone_number_not_allowed');
    expect(challenge.body.error.message).toMatch(/GB/);
    // a challenge started before the change cannot be resent to the phone either
    await setPolicy([]);
    const started = await h.call('POST', '/v1/users/ulla/challenges', { method: 'sms' });
    expect(started.status).toBe(201);
    await setPolicy(['GB']);
    const resent = await h.call('POST', `/v1/challenges/${started.body.challengeId}/resend`, {});
    expect(resent.status).toBe(422);
    expect(resent.body.error.code).toBe('phone_number_not_allowed');
    expect((await h.messages()).length).toBe(sentBefore + 1);
    // put back, the phone works again
    await setPolicy(['FR']);
    expect((await h.call('POST', '/v1/users/ulla/challenges', { method: 'sms' })).status).toBe(201);
  });

  it('a phone factor whose type enrolment did not record (written before the full metadata) is not sent to', async () => {
    await setPolicy([]);
    const now = h.clock.nowMs();
    const legacy: FactorRecord = {
      factorId: 'f_legacy',
      type: 'sms',
      label: 'Phone',
      status: 'active',
      createdAtMs: now,
      activatedAtMs: now,
      failedAttempts: 0,
      destination: '+33899701234', // premium rate, let in by the old minimal metadata
    };
    await changeUser(h.runtime.deps, h.tenantId, 'legacy', () => ({ change: { profile: { roles: [], sso: false, createdAtMs: now, updatedAtMs: now }, putFactors: [legacy] }, result: undefined }));
    const sentBefore = (await h.messages()).length;
    const r = await h.call('POST', '/v1/users/legacy/challenges', { method: 'sms' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('phone_number_not_allowed');
    expect((await h.messages()).length).toBe(sentBefore);
  });
});

// each test starts a runtime of its own (its send limits are the runtime's): they run at the same
// time, so that the two starts (tables created on the shared engine) overlap
describe.concurrent('a refused send never uses up a quota', () => {
  it('sends refused by the per-destination limit do not count against the user: their other phone still gets codes', async () => {
    const h = await startOtpHarness({ sendLimits: { perUserPerHour: 4, perDestinationPerHour: 2, perTenantPerHour: 100 } });
    try {
      const sendTo = (phone: string) => h.call('POST', '/v1/users/rita/factors', { type: 'sms', phone });
      expect((await sendTo('+33611111111')).status).toBe(201);
      expect((await sendTo('+33611111111')).status).toBe(201);
      // an attacker keeps hammering the capped number
      for (let i = 0; i < 6; i++) expect((await sendTo('+33611111111')).status).toBe(429);
      // 2 sent, 6 refused: the user's quota of 4 still has 2
      expect((await sendTo('+447400123456')).status).toBe(201);
      expect((await sendTo('+447400123456')).status).toBe(201);
      expect((await sendTo('+12015550123')).status).toBe(429);
      expect((await h.messages()).length).toBe(4);
    } finally {
      await h.stop();
    }
  });

  it('resends that lose a race to another resend (refused 429) do not count: the user still gets the rest of their quota', async () => {
    const h = await startOtpHarness({ sendLimits: { perUserPerHour: 3, perDestinationPerHour: 100, perTenantPerHour: 100 }, policy: { resendLimit: null } });
    try {
      const phone = '+33622222222';
      const started = await h.call('POST', '/v1/users/sam/factors', { type: 'sms', phone });
      expect((await h.call('POST', `/v1/users/sam/factors/${started.body.factorId}/verify`, { code: await h.lastCode(phone) })).status).toBe(200);
      h.clock.advanceSeconds(3600 * 2); // a fresh hour: the enrolment's send is out of the window
      const challenge = await h.call('POST', '/v1/users/sam/challenges', { method: 'sms' });
      expect(challenge.status).toBe(201); // send 1 of 3
      h.clock.advanceSeconds(31);
      const burst = await Promise.all(Array.from({ length: 10 }, () => h.call('POST', `/v1/challenges/${challenge.body.challengeId}/resend`, {})));
      expect(burst.filter((r) => r.status === 202)).toHaveLength(1); // send 2 of 3
      expect(burst.filter((r) => r.status === 429)).toHaveLength(9);
      h.clock.advanceSeconds(31);
      // the 9 refused resends took nothing: the third send goes out, and only then the quota is spent
      expect((await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/resend`, {})).status).toBe(202);
      h.clock.advanceSeconds(31);
      const fourth = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/resend`, {});
      expect(fourth.status).toBe(429);
      expect(fourth.body.error.code).toBe('rate_limited');
    } finally {
      await h.stop();
    }
  });
});
