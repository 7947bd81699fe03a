/**
 * Recovery codes at rest (OWASP ASVS 5.0 6.5.2: look-up secrets under 112 bits are stored hashed
 * with a random salt): each stored code is `<salt>.<HMAC>` with its own salt, so the same code
 * of two users or of two sets is stored differently, and a reader of the table (read raw, with
 * the plain DynamoDB client) finds no code. SMS and email codes are bound to what they are for
 * (the challenge or the pending factor), which salts them the same way.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashRecoveryCode, matchRecoveryCode, normaliseRecoveryCode, otpHash } from '@twofold/core';
import { random } from '../support/fakes';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

let h: OtpHarness;
beforeAll(async () => {
  h = await startOtpHarness();
});
afterAll(() => h.stop());

async function enrolEmail(userId: string): Promise<string[]> {
  const to = `${userId}@example.com`;
  const started = await h.call('POST', `/v1/users/${userId}/factors`, { type: 'email', email: to });
  const done = await h.call('POST', `/v1/users/${userId}/factors/${started.body.factorId}/verify`, { code: await h.lastCode(to) });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return done.body.recoveryCodes as string[];
}

describe('recovery codes are stored hashed with a salt', () => {
  it('each stored code has its own salt, the table holds no code, and a code still signs in once', async () => {
    const codes = await enrolEmail('rita');
    const { Items = [] } = await h.runtime.deps.dynamo.send(new ScanCommand({ TableName: h.runtime.deps.config.tables.secrets }));
    const raw = JSON.stringify(Items);
    for (const code of codes) {
      expect(raw).not.toContain(code);
      expect(raw).not.toContain(normaliseRecoveryCode(code));
    }
    const sets = Items.filter((item) => item.hashes?.SS);
    expect(sets).toHaveLength(1);
    const stored = sets[0]!.hashes!.SS!;
    expect(stored).toHaveLength(codes.length);
    for (const entry of stored) expect(entry).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(new Set(stored.map((e) => e.split('.')[0])).size).toBe(codes.length);

    const challenge = await h.call('POST', '/v1/users/rita/challenges', { method: 'recovery_code' });
    const first = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { recoveryCode: codes[3] });
    expect(first.body).toMatchObject({ verified: true, method: 'recovery_code', recoveryCodesRemaining: codes.length - 1 });
    const again = await h.call('POST', '/v1/users/rita/challenges', { method: 'recovery_code' });
    expect((await h.call('POST', `/v1/challenges/${again.body.challengeId}/verify`, { recoveryCode: codes[3] })).body.error.code).toBe('invalid_code');
  });

  it('the same code is stored differently for two users and in two sets of one user; each entry matches only its own user', () => {
    const hashKey = random.bytes(32);
    const code = 'abcd-efgh-jkmn-pqrs';
    const setOne = hashRecoveryCode(random, hashKey, 't1', 'alice', code);
    const setTwo = hashRecoveryCode(random, hashKey, 't1', 'alice', code);
    const bobs = hashRecoveryCode(random, hashKey, 't1', 'bob', code);
    expect(new Set([setOne, setTwo, bobs]).size).toBe(3);
    expect(matchRecoveryCode(hashKey, 't1', 'alice', [bobs, setTwo], 'ABCD EFGH JKMN PQRS')).toBe(setTwo);
    expect(matchRecoveryCode(hashKey, 't1', 'alice', [bobs], code)).toBeUndefined();
    expect(matchRecoveryCode(hashKey, 't2', 'alice', [setOne], code)).toBeUndefined();
    expect(matchRecoveryCode(hashKey, 't1', 'alice', [setOne], 'abcd-efgh-jkmn-pqrt')).toBeUndefined();
  });

  it('an SMS or email code is hashed with what it was sent for: one code on two challenges is stored differently', () => {
    const hashKey = random.bytes(32);
    expect(otpHash(hashKey, 't1', 'alice', 'challenge:c1', '123456')).not.toBe(otpHash(hashKey, 't1', 'alice', 'challenge:c2', '123456'));
    expect(otpHash(hashKey, 't1', 'alice', 'challenge:c1', '123456')).not.toBe(otpHash(hashKey, 't1', 'bob', 'challenge:c1', '123456'));
  });
});
