/**
 * The SNS, Twilio, Vonage and SES adapters make exactly these requests: a transactional SMS with
 * the sender id or origination number from the deployment's settings; one Twilio Messages
 * request with basic auth and a form body, its credentials read from Secrets Manager once per
 * container; one Vonage SMS request with the credentials, the numbers without their '+' and the
 * message type in a form body; an email from the configured sender (under the tenant's display name when it has one) with a
 * text and an HTML body. The message carries the code and the tenant's name, and no other
 * personal data.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { fromHeader, secretsManagerSecret, SesEmailSender, SnsSmsSender, TwilioCredentials, TwilioSmsSender, vonageMessageType, VonageCredentials, VonageSmsSender } from '@twofold/adapters';
import { codeMessage } from '@twofold/core';

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const message = codeMessage('Acme Corp', '493817', 600);

describe('SnsSmsSender', () => {
  it('publishes a transactional SMS to the number with the configured sender id and origination number', async () => {
    const sns = new SNSClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(sns);
    mock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await new SnsSmsSender(sns, { senderId: 'ACME', originationNumber: '+15550100' }).send({ to: '+33612345678', body: message.sms });
    expect(mock.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      {
        PhoneNumber: '+33612345678',
        Message: 'Your Acme Corp verification code is 493817. It expires in 10 minutes. Do not share it with anyone.',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ACME' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+15550100' },
        },
      },
    ]);
  });

  it('sends no sender attributes that are not configured, and lets a failure through', async () => {
    const sns = new SNSClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(sns);
    mock.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(new SnsSmsSender(sns).send({ to: '+33612345678', body: 'x' })).rejects.toThrow('Throttling');
    expect(Object.keys(mock.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes!)).toEqual(['AWS.SNS.SMS.SMSType']);
  });
});

describe('SesEmailSender', () => {
  it('sends from the configured identity with a text and an HTML body, and the configuration set', async () => {
    const ses = new SESv2Client({ region: 'eu-west-1', credentials });
    const mock = mockClient(ses);
    mock.on(SendEmailCommand).resolves({ MessageId: 'e-1' });
    await new SesEmailSender(ses, { fromAddress: 'Acme <no-reply@acme.example>', configurationSetName: 'twofold' }).send({
      to: 'carol@example.com',
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    const [input] = mock.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(input).toMatchObject({
      FromEmailAddress: 'Acme <no-reply@acme.example>',
      Destination: { ToAddresses: ['carol@example.com'] },
      ConfigurationSetName: 'twofold',
      Content: { Simple: { Subject: { Data: 'Acme Corp verification code', Charset: 'UTF-8' } } },
    });
    const body = input!.Content!.Simple!.Body!;
    for (const part of [body.Text!.Data!, body.Html!.Data!]) {
      expect(part).toContain('493817');
      expect(part).toContain('Acme Corp');
      expect(part).not.toContain('carol');
    }
  });

  it('escapes the tenant name in the HTML body', () => {
    expect(codeMessage('<Evil & Co>', '111111', 600).html).toContain('&#60;Evil &#38; Co&#62;');
  });
});

describe('SesEmailSender From display name', () => {
  it("puts the tenant's display name before the deployment's address: quoted when ASCII, an RFC 2047 encoded-word otherwise", async () => {
    const ses = new SESv2Client({ region: 'eu-west-1', credentials });
    const mock = mockClient(ses);
    mock.on(SendEmailCommand).resolves({ MessageId: 'e-2' });
    const sender = new SesEmailSender(ses, { fromAddress: 'Twofold <no-reply@acme.example>' });
    await sender.send({ to: 'carol@example.com', subject: 's', text: 't', html: 'h', fromName: 'Acme Security' });
    await sender.send({ to: 'carol@example.com', subject: 's', text: 't', html: 'h', fromName: 'Sécurité Acme' });
    await sender.send({ to: 'carol@example.com', subject: 's', text: 't', html: 'h' });
    expect(mock.commandCalls(SendEmailCommand).map((c) => c.args[0].input.FromEmailAddress)).toEqual([
      '"Acme Security" <no-reply@acme.example>',
      `=?UTF-8?B?${Buffer.from('Sécurité Acme').toString('base64')}?= <no-reply@acme.example>`,
      'Twofold <no-reply@acme.example>',
    ]);
    expect(fromHeader('no-reply@acme.example', 'Acme')).toBe('"Acme" <no-reply@acme.example>');
  });
});

/** A fetch that answers `status` and `answer` (JSON) to every call and keeps the calls. */
const recording = (status = 201, answer: object = { sid: 'SM1', status: 'queued' }) => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetch };
};

describe('TwilioSmsSender', () => {
  const accountSid = `AC${'a'.repeat(32)}`;

  it('POSTs one form-encoded Messages request with basic auth (account SID and auth token) and From', async () => {
    const { calls, fetch } = recording();
    await new TwilioSmsSender({ fetch, credentials: async () => ({ accountSid, authToken: 'tok', from: '+15550100' }) }).send({ to: '+33612345678', body: message.sms });
    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls as [{ url: string; init: RequestInit }];
    expect(url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({
      authorization: `Basic ${Buffer.from(`${accountSid}:tok`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    expect(init.body).toBe(`To=%2B33612345678&From=%2B15550100&Body=${new URLSearchParams({ b: message.sms }).toString().slice(2)}`);
    expect(Object.fromEntries(new URLSearchParams(init.body as string))).toEqual({ To: '+33612345678', From: '+15550100', Body: 'Your Acme Corp verification code is 493817. It expires in 10 minutes. Do not share it with anyone.' });
  });

  it('with a messaging service and an API key: MessagingServiceSid instead of From, the key as the basic-auth user', async () => {
    const { calls, fetch } = recording(200);
    const apiKeySid = `SK${'b'.repeat(32)}`;
    const messagingServiceSid = `MG${'c'.repeat(32)}`;
    await new TwilioSmsSender({ fetch, baseUrl: 'https://twilio.test', credentials: async () => ({ accountSid, apiKeySid, apiKeySecret: 'secret', messagingServiceSid }) }).send({ to: '+447700900123', body: 'x' });
    expect(calls[0]!.url).toBe(`https://twilio.test/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe(`Basic ${Buffer.from(`${apiKeySid}:secret`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(calls[0]!.init.body as string))).toEqual({ To: '+447700900123', MessagingServiceSid: messagingServiceSid, Body: 'x' });
  });

  it("a refusal rejects with Twilio's status and error code only (its message may quote the number)", async () => {
    const { fetch } = recording(400, { code: 21211, message: "The 'To' number +33612345678 is not a valid phone number.", status: 400 });
    const sender = new TwilioSmsSender({ fetch, credentials: async () => ({ accountSid, authToken: 'tok', from: '+15550100' }) });
    const error = await sender.send({ to: '+33612345678', body: 'x' }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'TwilioError', status: 400, twilioCode: 21211, message: 'Twilio answered 400 (error 21211)' });
  });

  it('reads its credentials from Secrets Manager once per container, not once per message; a failed read is tried again', async () => {
    const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
    const mock = mockClient(client);
    mock.on(GetSecretValueCommand).rejectsOnce(new Error('ThrottlingException')).resolves({ SecretString: JSON.stringify({ accountSid, authToken: 'tok', from: '+15550100' }) });
    const { calls, fetch } = recording();
    const sender = new TwilioSmsSender({ fetch, credentials: secretsManagerSecret(client, 'twofold/twilio', TwilioCredentials) });
    await expect(sender.send({ to: '+33612345678', body: 'a' })).rejects.toThrow('ThrottlingException');
    for (const body of ['b', 'c', 'd']) await sender.send({ to: '+33612345678', body });
    expect(mock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'twofold/twilio' }, { SecretId: 'twofold/twilio' }]);
    expect(calls).toHaveLength(3);
  });

  it('a secret that is not valid Twilio credentials fails naming the fields, never their values', async () => {
    const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
    mockClient(client).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accountSid: 'not-a-sid', authToken: 'super-secret-token' }) });
    const error = await secretsManagerSecret(client, 'twofold/twilio', TwilioCredentials)().catch((e: Error) => e);
    expect((error as Error).message).toContain('accountSid');
    expect((error as Error).message).toContain('from or messagingServiceSid');
    expect((error as Error).message).not.toContain('super-secret-token');
  });
});

describe('VonageSmsSender', () => {
  const accepted = (to: string) => ({ 'message-count': '1', messages: [{ to, 'message-id': '0C000000217B7F02', status: '0', 'remaining-balance': '15.53590000', 'message-price': '0.03330000', network: '20801' }] });
  const vonage = { apiKey: 'a1b2c3d4', apiSecret: 'sec' };

  it('POSTs one form-encoded /sms/json with the key and secret, the numbers without their +, the text and type text', async () => {
    const { calls, fetch } = recording(200, accepted('33612345678'));
    await new VonageSmsSender({ fetch, credentials: async () => ({ ...vonage, from: '+15550100' }) }).send({ to: '+33612345678', body: message.sms });
    expect(calls.map((c) => c.url)).toEqual(['https://rest.nexmo.com/sms/json']);
    const [{ init }] = calls as [{ url: string; init: RequestInit }];
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    expect(init.body).toBe(`api_key=a1b2c3d4&api_secret=sec&from=15550100&to=33612345678&text=${new URLSearchParams({ b: message.sms }).toString().slice(2)}&type=text`);
  });

  it('type unicode for a text GSM-7 cannot carry; an alphanumeric sender id as it is; another base URL', async () => {
    const { calls, fetch } = recording(200, accepted('447700900123'));
    await new VonageSmsSender({ fetch, baseUrl: 'https://vonage.test', credentials: async () => ({ ...vonage, from: 'Acme' }) }).send({ to: '+447700900123', body: 'Ваш код 493817' });
    expect(calls[0]?.url).toBe('https://vonage.test/sms/json');
    expect(Object.fromEntries(new URLSearchParams(String(calls[0]?.init.body)))).toEqual({ api_key: 'a1b2c3d4', api_secret: 'sec', from: 'Acme', to: '447700900123', text: 'Ваш код 493817', type: 'unicode' });
    expect(['Code 493817: é à ñ ß € [x] {y} ~|^\\', 'Votre code est 493817.', 'Código 493817 📱', 'Kod 493817 – ważny', 'code `493817`'].map(vonageMessageType)).toEqual(['text', 'text', 'unicode', 'unicode', 'unicode']);
  });

  it.each([
    ['a refused message (HTTP 200, status 4)', recording(200, { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials for +33612345678: "Your code 493817"' }] }), { status: 200, vonageStatus: '4', message: 'Vonage answered 200 (status 4)' }],
    ['a refused second part (status 1, throttled)', recording(200, { 'message-count': '2', messages: [accepted('33612345678').messages[0], { status: '1', 'error-text': 'Throttled' }] }), { status: 200, vonageStatus: '1', message: 'Vonage answered 200 (status 1)' }],
    ['an HTTP error', recording(500, { title: 'Internal error' }), { status: 500, vonageStatus: undefined, message: 'Vonage answered 500' }],
    ['an answer without messages', recording(200, { 'message-count': '0', messages: [] }), { status: 200, vonageStatus: undefined, message: 'Vonage answered 200' }],
  ])("%s rejects with the HTTP status and Vonage's status only (its error-text may quote the number and the text)", async (_, { fetch }, expected) => {
    const error = await new VonageSmsSender({ fetch, credentials: async () => ({ ...vonage, from: 'Acme' }) }).send({ to: '+33612345678', body: 'Your code 493817' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'VonageError', ...expected });
    expect(String(error)).not.toMatch(/612345678|493817/);
  });

  it('a secret that is not valid Vonage credentials fails naming the fields, never their values', async () => {
    const client = new SecretsManagerClient({ region: 'eu-west-1', credentials });
    mockClient(client).on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: 'a1b2c3d4', apiSecret: 'super-secret', from: 'Far Too Long Sender' }) });
    const error = await secretsManagerSecret(client, 'twofold/vonage', VonageCredentials)().catch((e: unknown) => e);
    expect(String(error)).toContain('from: from is an E.164 number or an alphanumeric sender id');
    expect(String(error)).not.toContain('super-secret');
  });
});
