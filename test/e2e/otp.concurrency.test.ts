/**
 * Races on sent codes: 20 parallel verifications of one SMS code let exactly one in, and 10
 * parallel challenge requests with one Idempotency-Key send exactly one message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
const phone = '+33611111111';

beforeAll(async () => {
  h = await startOtpHarness();
  const started = await h.call('POST', '/v1/users/dave/factors', { type: 'sms', phone });
  await h.call('POST', `/v1/users/dave/factors/${started.body.factorId}/verify`, { code: await h.lastCode(phone) });
});
afterAll(() => h.stop());

describe('sent codes under parallel requests', () => {
  it('20 parallel verifications of one SMS code: exactly one 200, none 5xx', async () => {
    const challenge = (await h.call('POST', '/v1/users/dave/challenges', { method: 'sms' })).body;
    const code = await h.lastCode(phone);
    const results = await Promise.all(Array.from({ length: 20 }, () => h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
  });

  it('20 parallel confirmations of one enrollment code activate the factor once', async () => {
    const started = await h.call('POST', '/v1/users/erin/factors', { type: 'email', email: 'erin@example.com' });
    const code = await h.lastCode('erin@example.com');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.call('POST', `/v1/users/erin/factors/${started.body.factorId}/verify`, { code })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body?.recoveryCodes)).toHaveLength(1);
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
  });

  it('10 parallel challenge requests with one Idempotency-Key: one message, one challenge, the same answer', async () => {
    const before = (await h.messages()).length;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.call('POST', '/v1/users/dave/challenges', { method: 'sms' }, { 'idempotency-key': 'login-attempt-42' })),
    );
    const after = await h.messages();
    expect(after.length - before).toBe(1);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.challengeId)).size).toBe(1);
    // the others were told the first is still in flight
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('idempotency_in_progress');
    // a retry after the first finished replays its answer without sending again
    const retry = await h.call('POST', '/v1/users/dave/challenges', { method: 'sms' }, { 'idempotency-key': 'login-attempt-42' });
    expect(retry.body.challengeId).toBe(created[0]!.body.challengeId);
    expect((await h.messages()).length).toBe(after.length);
  });

  it('the same Idempotency-Key with another request body is refused', async () => {
    await h.call('POST', '/v1/users/dave/challenges', { method: 'sms' }, { 'idempotency-key': 'k-2' });
    const other = await h.call('POST', '/v1/users/dave/challenges', { method: 'recovery_code' }, { 'idempotency-key': 'k-2' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('10 parallel resends with one Idempotency-Key send one message', async () => {
    const challenge = (await h.call('POST', '/v1/users/dave/challenges', { method: 'sms' })).body;
    h.clock.advanceSeconds(31);
    const before = (await h.messages()).length;
    await Promise.all(Array.from({ length: 10 }, () => h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {}, { 'idempotency-key': 'resend-1' })));
    expect((await h.messages()).length - before).toBe(1);
  });
});
