/**
 * Guarding the SMS bill: numbers that are malformed, landlines, premium rate or outside the
 * tenant's allow-list are refused before anything is sent; velocity limits per user, per
 * destination and per tenant hold under parallel requests; SMS needs a configured sender.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

describe('what is refused before anything is sent', () => {
  let h: OtpHarness;
  beforeAll(async () => {
    h = await startOtpHarness({ policy: { sms: { allowedCountries: ['FR', 'US', 'GB'] } } });
  });
  afterAll(() => h.stop());
  afterEach(async () => expect(await h.messages()).toEqual([]));

  it.each([
    ['malformed', { type: 'sms', phone: 'call me maybe' }, 422, 'invalid_phone_number'],
    ['without a country code', { type: 'sms', phone: '0612345678' }, 422, 'invalid_phone_number'],
    ['too short for its country', { type: 'sms', phone: '+33612' }, 422, 'invalid_phone_number'],
    ['a landline', { type: 'sms', phone: '+442071838750' }, 422, 'phone_number_not_allowed'],
    ['premium rate', { type: 'sms', phone: '+19005551234' }, 422, 'phone_number_not_allowed'],
    ['outside the allow-list', { type: 'sms', phone: '+4915123456789' }, 422, 'phone_number_not_allowed'],
    ['an invalid email', { type: 'email', email: 'not-an-email' }, 400, 'invalid_request'],
    ['an unknown factor type', { type: 'fax', number: '1' }, 400, 'invalid_request'],
  ])('%s', async (_, body, status, code) => {
    const r = await h.call('POST', '/v1/users/frank/factors', body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message.length).toBeGreaterThan(10);
  });
});

describe('velocity limits', () => {
  it('per user: 3 an hour lets 3 of 10 parallel sends through, and refuses the rest with 429 rate_limited', async () => {
    const h = await startOtpHarness({ sendLimits: { perUserPerHour: 3, perDestinationPerHour: 100, perTenantPerHour: 100 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => h.call('POST', `/v1/users/gina/factors`, { type: 'email', email: `gina${i}@example.com` })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(7);
      expect(refused[0]!.body.error.code).toBe('rate_limited');
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await h.messages()).toHaveLength(3);
      // the sliding hour moves on
      h.clock.advanceSeconds(2 * 3600);
      expect((await h.call('POST', '/v1/users/gina/factors', { type: 'email', email: 'gina-late@example.com' })).status).toBe(201);
    } finally {
      await h.stop();
    }
  });

  it('per destination: one number is not pumped from many accounts', async () => {
    const h = await startOtpHarness({ sendLimits: { perUserPerHour: 100, perDestinationPerHour: 2, perTenantPerHour: 100 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => h.call('POST', `/v1/users/pump${i}/factors`, { type: 'sms', phone: '+33622222222' })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(2);
      expect(results.filter((r) => r.status === 429)).toHaveLength(4);
    } finally {
      await h.stop();
    }
  });

  it('per tenant: a cap on everything the tenant sends', async () => {
    const h = await startOtpHarness({ sendLimits: { perUserPerHour: 100, perDestinationPerHour: 100, perTenantPerHour: 4 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => h.call('POST', `/v1/users/t${i}/factors`, { type: 'sms', phone: `+3362222223${i}` })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    } finally {
      await h.stop();
    }
  });
});

describe('SMS is a deployment option', () => {
  it('without an SMS sender, enrolling a phone gets 409 sms_not_configured saying how to configure it', async () => {
    const h = await startOtpHarness({ sms: false });
    try {
      const r = await h.call('POST', '/v1/users/hal/factors', { type: 'sms', phone: '+33612345678' });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('sms_not_configured');
      expect(r.body.error.message).toMatch(/cdk/i);
    } finally {
      await h.stop();
    }
  });
});
