/**
 * The SNS and SES adapters make exactly these requests: a transactional SMS with the sender id
 * or origination number from the deployment's settings; an email from the configured sender
 * with a text and an HTML body. The message carries the code and the tenant's name, and no
 * other personal data.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SesEmailSender, SnsSmsSender } from '@twofold/adapters';
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
