/**
 * When SNS or SES fails, the client gets 502 delivery_failed, nothing is half-written (a failed
 * first send leaves no challenge or factor behind; a failed resend keeps the earlier code),
 * and no log line holds the code or the full destination. The real SNS/SES adapters run here
 * over SDK clients mocked at the send call: there is no local SNS, and failures are injected.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SesEmailSender, SnsSmsSender } from '@twofold/adapters';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sns = new SNSClient({ region: 'eu-west-1', credentials });
const ses = new SESv2Client({ region: 'eu-west-1', credentials });
const snsMock = mockClient(sns);
const sesMock = mockClient(ses);
const sent: string[] = [];
const logged: string[] = [];
let h: OtpHarness;

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
  }
  h = await startOtpHarness({
    senders: { sms: new SnsSmsSender(sns), email: new SesEmailSender(ses, { fromAddress: 'no-reply@acme.example' }) },
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h.stop();
});

const deliverSms = () => snsMock.on(PublishCommand).callsFake((input) => {
  sent.push(input.Message);
  return { MessageId: 'ok' };
});
const failSms = () => snsMock.on(PublishCommand).rejects(Object.assign(new Error('Service unavailable for +33633333333'), { name: 'InternalErrorException' }));

describe('delivery failures', () => {
  it('a failed SMS at enrollment answers 502 and leaves no factor behind; a retry works', async () => {
    failSms();
    const r = await h.call('POST', '/v1/users/ivy/factors', { type: 'sms', phone: '+33633333333' });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('delivery_failed');
    expect(JSON.stringify(r.body)).not.toContain('33633333333');
    expect((await h.call('GET', '/v1/users/ivy/factors')).body.factors).toEqual([]);

    deliverSms();
    const again = await h.call('POST', '/v1/users/ivy/factors', { type: 'sms', phone: '+33633333333' });
    expect(again.status).toBe(201);
    const code = codeIn(sent.at(-1)!)!;
    expect((await h.call('POST', `/v1/users/ivy/factors/${again.body.factorId}/verify`, { code })).status).toBe(200);
  });

  it('a failed SMS at login answers 502 and leaves no challenge; a new challenge works', async () => {
    failSms();
    const r = await h.call('POST', '/v1/users/ivy/challenges', { method: 'sms' });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('delivery_failed');
    deliverSms();
    const challenge = await h.call('POST', '/v1/users/ivy/challenges', { method: 'sms' });
    expect(challenge.status).toBe(201);
    const ok = await h.call('POST', `/v1/challenges/${challenge.body.challengeId}/verify`, { code: codeIn(sent.at(-1)!) });
    expect(ok.status).toBe(200);
  });

  it('a failed resend answers 502 and keeps the challenge usable with its earlier code, and resendable', async () => {
    deliverSms();
    const challenge = (await h.call('POST', '/v1/users/ivy/challenges', { method: 'sms' })).body;
    const firstCode = codeIn(sent.at(-1)!)!;
    h.clock.advanceSeconds(31);
    failSms();
    const resend = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {});
    expect(resend.status).toBe(502);
    const state = await h.call('GET', `/v1/challenges/${challenge.challengeId}`);
    expect(state.body.status).toBe('pending');
    deliverSms();
    const retried = await h.call('POST', `/v1/challenges/${challenge.challengeId}/resend`, {});
    expect(retried).toMatchObject({ status: 202, body: { resendsRemaining: 2 } });
    const newCode = codeIn(sent.at(-1)!)!;
    if (newCode !== firstCode) expect((await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: firstCode })).status).toBe(422);
    expect((await h.call('POST', `/v1/challenges/${challenge.challengeId}/verify`, { code: newCode })).status).toBe(200);
  });

  it('a failed email answers 502 delivery_failed too', async () => {
    sesMock.on(SendEmailCommand).rejects(Object.assign(new Error('MessageRejected'), { name: 'MessageRejected' }));
    const r = await h.call('POST', '/v1/users/jon/factors', { type: 'email', email: 'jon@example.com' });
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('delivery_failed');
  });

  it('the failure is logged, masked; no log line holds a code sent or a full destination', () => {
    const codes = sent.map(codeIn).filter(Boolean) as string[];
    expect(codes.length).toBeGreaterThan(3);
    const logs = logged.join('');
    expect(logs).toContain('"providerError":"InternalErrorException"');
    expect(logs).toContain('+33*******33');
    for (const code of codes) expect(logs).not.toContain(code);
    expect(logs).not.toContain('33633333333');
    expect(logs).not.toContain('jon@example.com');
  });
});
