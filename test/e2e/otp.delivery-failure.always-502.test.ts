/**
 * A failed delivery is the provider's fault, not ours: whatever the SMS or email sender throws
 * (an SDK error, a TypeError, a string, a domain error), and even when undoing what was written
 * for the send fails too, the client gets 502 delivery_failed, never 500 internal_error; with an
 * Idempotency-Key the failure is not replayed, so a retry can send.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, type EmailSender, type SmsSender } from '@twofold/core';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

class FlakySender implements SmsSender, EmailSender {
  throws: (() => unknown) | undefined;
  sent = 0;
  lastCode: string | undefined;
  async send(message: { body?: string; text?: string }): Promise<void> {
    if (this.throws) throw this.throws();
    this.sent++;
    this.lastCode = /\b(\d{6})\b/.exec(message.body ?? message.text ?? '')?.[1];
  }
}

const sender = new FlakySender();
let h: OtpHarness;
const PHONE = '+33644444444';

beforeAll(async () => {
  h = await startOtpHarness({ senders: { sms: sender, email: sender } });
  const started = await h.call('POST', '/v1/users/zoe/factors', { type: 'email', email: 'zoe@example.com' });
  expect(started.status).toBe(201);
  expect((await h.call('POST', `/v1/users/zoe/factors/${started.body.factorId}/verify`, { code: sender.lastCode })).status).toBe(200);
});
afterAll(() => h.stop());
afterEach(() => {
  sender.throws = undefined;
});

describe('whatever the sender throws, the answer is 502 delivery_failed', () => {
  it.each([
    ['an SDK error', () => Object.assign(new Error('Service unavailable'), { name: 'InternalErrorException' })],
    ['a TypeError', () => new TypeError('fetch failed')],
    ['a string', () => 'socket hang up'],
    ['null', () => null],
    ['a domain error', () => new DomainError('rate_limited')],
  ])('%s at enrolment', async (_, throws) => {
    sender.throws = throws;
    const r = await h.call('POST', '/v1/users/yann/factors', { type: 'sms', phone: PHONE });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('delivery_failed');
    expect(JSON.stringify(r.body)).not.toMatch(/Service unavailable|fetch failed|socket|rate_limited/);
  });

  it('when undoing the written challenge fails too (DynamoDB down at that moment), still 502', async () => {
    const { challenges } = h.runtime.deps;
    const deletePending = challenges.deletePending.bind(challenges);
    challenges.deletePending = async () => {
      throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
    };
    try {
      sender.throws = () => new Error('boom');
      const r = await h.call('POST', '/v1/users/zoe/challenges', { method: 'email' });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('delivery_failed');
    } finally {
      challenges.deletePending = deletePending;
    }
  });

  it('with an Idempotency-Key the failure is not replayed: the retry with the same key sends', async () => {
    sender.throws = () => new Error('boom');
    const failed = await h.call('POST', '/v1/users/zoe/challenges', { method: 'email' }, { 'idempotency-key': 'login-retry-1' });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('delivery_failed');
    sender.throws = undefined;
    const before = sender.sent;
    const retried = await h.call('POST', '/v1/users/zoe/challenges', { method: 'email' }, { 'idempotency-key': 'login-retry-1' });
    expect(retried.status).toBe(201);
    expect(sender.sent).toBe(before + 1);
  });
});
