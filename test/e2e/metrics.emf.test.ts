/**
 * The application metrics, as CloudWatch will read them: the EMF lines the functions print
 * (Powertools Metrics) for requests over HTTP on the local runtime — codes sent by channel,
 * verifications by method and outcome, a lockout, a delivery failure — and for the scheduled
 * event relay and grace-expiry runs. No metric line holds a code, a phone number or a key.
 */
import { vi } from 'vitest';

// the metrics read POWERTOOLS_METRICS_DISABLED when they are made, at import: on here (off in the other tests, vitest.config.ts)
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsSmsSender } from '@twofold/adapters';
import { startOtpHarness, type OtpHarness } from '../support/otp-runtime';

const sns = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const snsMock = mockClient(sns);
const texts: string[] = [];
let printed: string[] = [];
let h: OtpHarness;

const PHONE = '+33612345678';
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** The EMF documents printed since the last reset: metric name, value and dimensions. */
function emitted() {
  return printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine)
    .map((doc) => {
      const [directive] = doc._aws.CloudWatchMetrics;
      const name = directive!.Metrics[0]!.Name;
      const dimensions = Object.fromEntries(directive!.Dimensions[0]!.filter((d) => d !== 'service').map((d) => [d, doc[d]]));
      return { namespace: directive!.Namespace, name, unit: directive!.Metrics[0]!.Unit, value: doc[name], dimensions, service: doc.service };
    });
}
const named = (name: string) => emitted().filter((m) => m.name === name);

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return String(chunk).startsWith('{"_aws"') ? true : (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    });
  }
  snsMock.on(PublishCommand).callsFake((input) => {
    texts.push(input.Message);
    return { MessageId: 'ok' };
  });
  // the default policy: locked after 5 wrong codes
  h = await startOtpHarness({ senders: { sms: new SnsSmsSender(sns) } });
  // an enrolled SMS factor for the logins below
  const factor = await h.call('POST', '/v1/users/mia/factors', { type: 'sms', phone: PHONE });
  expect(factor.status).toBe(201);
  expect((await h.call('POST', `/v1/users/mia/factors/${factor.body.factorId}/verify`, { code: codeIn(texts.at(-1)!) })).status).toBe(200);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h.stop();
});
beforeEach(() => {
  printed = [];
});

describe('EMF metrics of the HTTP layer', () => {
  it('an SMS enrolment counts a code sent on the sms channel by the factor route, in namespace Twofold', async () => {
    const r = await h.call('POST', '/v1/users/noa/factors', { type: 'sms', phone: '+33612345679' });
    expect(r.status).toBe(201);
    expect(named('CodesSent')).toEqual([{ namespace: 'Twofold', name: 'CodesSent', unit: 'Count', value: 1, dimensions: { channel: 'sms', route: 'factor' }, service: expect.any(String) }]);
  });

  it('a login: the challenge counts a send, a wrong code a refused verification, the right one a verified sms verification', async () => {
    const started = await h.call('POST', '/v1/users/mia/challenges', {});
    expect(started.body).toMatchObject({ required: true, method: 'sms' });
    const code = codeIn(texts.at(-1)!)!;
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await h.call('POST', `/v1/challenges/${started.body.challengeId}/verify`, { code: wrong })).status).toBe(422);
    expect((await h.call('POST', `/v1/challenges/${started.body.challengeId}/verify`, { code })).status).toBe(200);

    expect(named('CodesSent').map((m) => m.dimensions)).toEqual([{ channel: 'sms', route: 'challenge' }]);
    expect(named('Verifications').map((m) => [m.dimensions, m.value])).toEqual([
      [{ method: 'code', outcome: 'invalid_code' }, 1],
      [{ method: 'sms', outcome: 'verified' }, 1],
    ]);
    expect(named('Lockouts')).toEqual([]);
  });

  it('a resend counts a send under the resend route', async () => {
    const started = await h.call('POST', '/v1/users/mia/challenges', {});
    // past the resend cooldown
    h.clock.advanceSeconds(60);
    printed = [];
    const resent = await h.call('POST', `/v1/challenges/${started.body.challengeId}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    expect(named('CodesSent').map((m) => m.dimensions)).toEqual([{ channel: 'sms', route: 'resend' }]);
  });

  it('guessing until locked: each refusal with `locked` counts one lockout', async () => {
    const started = await h.call('POST', '/v1/users/mia/challenges', {});
    const code = codeIn(texts.at(-1)!)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.call('POST', `/v1/challenges/${started.body.challengeId}/verify`, { code: wrong })).body.error.code);
    const locked = codes.filter((c) => c === 'locked').length;
    expect(locked).toBeGreaterThan(0);
    expect(named('Lockouts')).toHaveLength(locked);
    expect(named('Verifications').filter((m) => m.dimensions.outcome === 'locked')).toHaveLength(locked);
  });

  it('a send SNS refuses counts a delivery failure on its channel, and no send', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('unavailable'), { name: 'InternalErrorException' }));
    const r = await h.call('POST', '/v1/users/ola/factors', { type: 'sms', phone: '+33612345670' });
    expect(r.status).toBe(502);
    expect(named('DeliveryFailures').map((m) => [m.dimensions, m.value])).toEqual([[{ channel: 'sms' }, 1]]);
    expect(named('CodesSent')).toEqual([]);
  });

  it('no metric line holds a code, a phone number or the API key', () => {
    const all = JSON.stringify(emitted());
    expect(all).not.toContain('3361234');
    expect(all).not.toContain(h.appKey.split('.')[1]);
    for (const text of texts) expect(all).not.toContain(codeIn(text)!);
  });
});

describe('EMF metrics of the scheduled jobs', () => {
  it('the event relay reports how many events waited and the age of the oldest', async () => {
    await h.runtime.relayEvents();
    const age = named('OldestPendingEventAgeSeconds');
    expect(age).toHaveLength(1);
    expect(age[0]).toMatchObject({ unit: 'Seconds', value: expect.any(Number) });
    expect(named('EventsPending')).toHaveLength(1);
  });

  it('a grace-expiry run reports its expiries and reminders', async () => {
    const result = await h.runtime.runGraceExpiry();
    expect(named('GraceExpiries').map((m) => m.value)).toEqual([result.expired]);
    expect(named('GraceReminders').map((m) => m.value)).toEqual([result.reminded]);
  });
});
