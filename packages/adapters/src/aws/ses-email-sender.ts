import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '@twofold/core/ports';

export interface EmailSettings {
  /** A verified SES identity, e.g. "Acme <no-reply@acme.example>". */
  fromAddress: string;
  configurationSetName?: string;
}

/** Email through Amazon SES (API v2 SendEmail), with a plain-text and an HTML body. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: EmailSettings,
  ) {}

  async send({ to, subject, text, html }: { to: string; subject: string; text: string; html: string }): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.settings.fromAddress,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
          },
        },
        ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
      }),
    );
  }
}
