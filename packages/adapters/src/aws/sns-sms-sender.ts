import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { SmsSender } from '@twofold/core/ports';

export interface SmsSettings {
  /** Alphanumeric sender id, where the destination country supports one. */
  senderId?: string;
  /** An origination number (E.164) owned by the account, where the country requires one. */
  originationNumber?: string;
}

/** SMS through Amazon SNS: a direct Publish to a phone number, as a transactional message. */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly settings: SmsSettings = {},
  ) {}

  async send({ to, body }: { to: string; body: string }): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      // transactional: highest delivery reliability, delivered even to opted-out marketing lists
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
    };
    if (this.settings.senderId) attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: this.settings.senderId };
    if (this.settings.originationNumber) attributes['AWS.MM.SMS.OriginationNumber'] = { DataType: 'String', StringValue: this.settings.originationNumber };
    await this.sns.send(new PublishCommand({ PhoneNumber: to, Message: body, MessageAttributes: attributes }));
  }
}
