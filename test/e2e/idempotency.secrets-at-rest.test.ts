/**
 * Secrets at rest in the idempotency table: someone who reads the table (a backup, an export, a
 * role that may read it) must find no device token, TOTP secret, recovery code or one-time code
 * in it, though a request retried with the same Idempotency-Key still gets the very same answer.
 * The items are read raw, with the plain DynamoDB client, as such a reader would.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';
import { oathtool, parseOtpauthUri, zbarimg } from '../support/authenticator';

let h: OtpHarness;
/** Everything a reader of the table could find out: each item's raw attribute values, and their base64 decodings. */
const tableDump = async () => {
  const { Items = [] } = await h.runtime.deps.dynamo.send(new ScanCommand({ TableName: h.runtime.deps.config.tables.idempotency }));
  const raw = JSON.stringify(Items);
  const decoded = [...raw.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)].map((m) => Buffer.from(m[0], 'base64').toString('latin1')).join('\n');
  return { items: Items, text: `${raw}\n${decoded}` };
};
const keyed = (key: string) => ({ 'idempotency-key': key });

const EMAIL = 'ines@example.com';
const secrets: string[] = [];

beforeAll(async () => {
  h = await startOtpHarness({ policy: { prompt: 'unrecognized_devices', methods: { allowed: ['totp', 'sms', 'email'], default: 'email', allowFallback: true } } });
  // an authenticator and an email factor; the enrolment itself is sent with an Idempotency-Key too
  const totp = await h.call('POST', '/v1/users/ines/factors', { type: 'totp' }, keyed('enrol-totp-1'));
  expect(totp.status).toBe(201);
  const secret = parseOtpauthUri(await zbarimg(totp.body.qrCode)).secret;
  const confirmCode = await oathtool(secret, h.clock.nowMs());
  const confirmed = await h.call('POST', `/v1/users/ines/factors/${totp.body.factorId}/verify`, { code: confirmCode }, keyed('confirm-totp-1'));
  expect(confirmed.status).toBe(200);
  const email = await h.call('POST', '/v1/users/ines/factors', { type: 'email', email: EMAIL }, keyed('enrol-email-1'));
  const emailCode = await h.lastCode(EMAIL);
  expect((await h.call('POST', `/v1/users/ines/factors/${email.body.factorId}/verify`, { code: emailCode })).status).toBe(200);
  secrets.push(secret, totp.body.qrCode.slice(30, 90), totp.body.otpauthUri, confirmCode, emailCode, ...confirmed.body.recoveryCodes);
});
afterAll(() => h.stop());

describe('the idempotency table holds no secret in plain text', () => {
  it('a challenge that rotates a device token: the table has neither token, and a replay returns the same new token', async () => {
    const challenge = await h.call('POST', '/v1/users/ines/challenges', { method: 'email' }, keyed('login-1'));
    expect(challenge.status).toBe(201);
    const code = await h.lastCode(EMAIL);
    const verified = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code, rememberDevice: true });
    const oldToken: string = verified.body.deviceToken;
    expect(oldToken).toMatch(/^td_/);

    const body = { context: { deviceToken: oldToken } };
    const first = await h.call('POST', '/v1/users/ines/challenges', body, keyed('device-login-1'));
    expect(first.body).toMatchObject({ required: false, reason: 'recognized_device' });
    const newToken: string = first.body.deviceToken;
    expect(newToken).toMatch(/^td_/);

    const { items, text } = await tableDump();
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const value of [oldToken, newToken, oldToken.split('.')[1]!, newToken.split('.')[1]!, code, ...secrets]) expect(text).not.toContain(value);

    // the client lost the answer and retries: the same body, the same rotated token, nothing rotated again
    const replay = await h.call('POST', '/v1/users/ines/challenges', body, keyed('device-login-1'));
    expect(replay.status).toBe(first.status);
    expect(replay.body).toEqual(first.body);
    const next = await h.call('POST', '/v1/users/ines/challenges', { context: { deviceToken: newToken } });
    expect(next.body.reason).toBe('recognized_device');
  });

  it('a resend with an Idempotency-Key: no code in the table, and the replay answers the same and sends nothing', async () => {
    const challenge = await h.call('POST', '/v1/users/ines/challenges', { method: 'email' }, keyed('login-2'));
    h.clock.advanceSeconds(31);
    const resent = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/resend`, {}, keyed('resend-2'));
    expect(resent.status).toBe(202);
    const code = await h.lastCode(EMAIL);
    const sent = (await h.messages()).length;
    const replay = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/resend`, {}, keyed('resend-2'));
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(resent.body);
    expect((await h.messages()).length).toBe(sent);
    const { text } = await tableDump();
    for (const value of [code, ...secrets]) expect(text).not.toContain(value);
    // what is there is sealed
    expect(text).toMatch(/v1\.[A-Za-z0-9_-]{40,}/);
  });

  it('enrolment answers (TOTP secret, QR code, recovery codes) sent with an Idempotency-Key leave nothing in the table', async () => {
    const { text } = await tableDump();
    for (const value of secrets) expect(text).not.toContain(value);
  });
});
