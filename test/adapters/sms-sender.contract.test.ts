/**
 * One contract for every SmsSender adapter: SNS (the real adapter over an SDK client whose SNS
 * is emulated), Twilio and Vonage (the real adapters, over HTTP, against stand-ins for their
 * APIs on loopback) and the local outbox. Each delivers exactly the text to exactly the number, once per
 * send; a refusal by the provider rejects (so the use case answers 502 delivery_failed and undoes
 * what it wrote), with an error that never quotes the phone number.
 * The requests each provider gets are asserted exactly in senders.requests.test.ts.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalSmsOutbox, SnsSmsSender, TwilioSmsSender, VonageSmsSender } from '@twofold/adapters';
import type { SmsSender } from '@twofold/core';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { startFakeVonage, type FakeVonage } from '../support/fake-vonage';
import { ManualClock } from '../support/fakes';

interface Harness {
  sender: SmsSender;
  delivered(): { to: string; body: string }[];
  /** Makes the provider refuse the next message; absent where the adapter has no provider (the local outbox). */
  refuseNext?(): void;
}

const twilios: FakeTwilio[] = [];
const vonages: FakeVonage[] = [];
afterAll(() => Promise.all([...twilios, ...vonages].map((t) => t.close())));

const adapters: [string, () => Promise<Harness>][] = [
  [
    'SnsSmsSender',
    async () => {
      const sns = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const mock = mockClient(sns);
      const delivered: { to: string; body: string }[] = [];
      let refuse = false;
      mock.on(PublishCommand).callsFake((input: { PhoneNumber: string; Message: string }) => {
        if (refuse) {
          refuse = false;
          const error = new Error(`Invalid parameter: PhoneNumber Reason: ${input.PhoneNumber} is not valid to publish to`);
          error.name = 'InvalidParameterException';
          throw error;
        }
        delivered.push({ to: input.PhoneNumber, body: input.Message });
        return { MessageId: String(delivered.length) };
      });
      return { sender: new SnsSmsSender(sns, { senderId: 'ACME' }), delivered: () => delivered, refuseNext: () => (refuse = true) };
    },
  ],
  [
    'TwilioSmsSender',
    async () => {
      const twilio = await startFakeTwilio();
      twilios.push(twilio);
      const sender = new TwilioSmsSender({ baseUrl: twilio.baseUrl, credentials: async () => ({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006' }) });
      return { sender, delivered: () => twilio.accepted.map(({ to, body }) => ({ to, body })), refuseNext: () => twilio.refuseNext(400, 21610) };
    },
  ],
  [
    'VonageSmsSender',
    async () => {
      const vonage = await startFakeVonage();
      vonages.push(vonage);
      const sender = new VonageSmsSender({ baseUrl: vonage.baseUrl, credentials: async () => ({ apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, from: 'Acme' }) });
      // Vonage has the number without its '+'
      return { sender, delivered: () => vonage.accepted.map(({ to, text }) => ({ to: `+${to}`, body: text })), refuseNext: () => vonage.refuseNext({ vonageStatus: '9' }) };
    },
  ],
  [
    'LocalSmsOutbox',
    async () => {
      const outbox = new LocalSmsOutbox(new ManualClock());
      return { sender: outbox, delivered: () => outbox.list().map(({ to, body }) => ({ to, body })) };
    },
  ],
];

const FR = 'Votre code de vérification Acme est 493817. Il expire dans 10 minutes. Ne le communiquez à personne.';

describe.each(adapters)('SmsSender contract: %s', (_, make) => {
  it('delivers exactly the text (accents and all) to exactly the number, once', async () => {
    const h = await make();
    await h.sender.send({ to: '+33612345678', body: FR });
    expect(h.delivered()).toEqual([{ to: '+33612345678', body: FR }]);
  });

  it('each send is its own message, in order, whatever its length (a long template is not cut)', async () => {
    const h = await make();
    const long = `${'A'.repeat(290)} 123456`;
    await h.sender.send({ to: '+447700900123', body: 'first 111111' });
    await h.sender.send({ to: '+33612345678', body: long });
    expect(h.delivered()).toEqual([
      { to: '+447700900123', body: 'first 111111' },
      { to: '+33612345678', body: long },
    ]);
  });

  it('a message the provider refuses rejects, naming no phone number; the next one goes through', async (context) => {
    const h = await make();
    if (!h.refuseNext) return context.skip();
    h.refuseNext();
    const failure = await h.sender.send({ to: '+33612345678', body: 'x 222222' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    // the use case logs the error's name only; a custom error must not carry the number in its message either
    expect(failure!.name).not.toContain('612345678');
    if (failure?.name === 'TwilioError' || failure?.name === 'VonageError') expect(failure.message).not.toContain('612345678');
    expect(h.delivered()).toEqual([]);
    await h.sender.send({ to: '+33612345678', body: 'y 333333' });
    expect(h.delivered()).toEqual([{ to: '+33612345678', body: 'y 333333' }]);
  });
});
