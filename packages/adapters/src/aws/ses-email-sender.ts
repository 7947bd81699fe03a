import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailSender } from '@twofold/core/ports';

export interface EmailSettings {
  /** A verified SES identity, e.g. "Acme <no-reply@acme.example>". */
  fromAddress: string;
  configurationSetName?: string;
}

/**
 * The From header with the tenant's display name before the deployment's verified address. SES
 * takes a non-ASCII display name only as a MIME encoded-word (RFC 2047 §2: =?charset?B?…?=);
 * an ASCII one goes in a quoted string (RFC 5322 §3.4; the policy refuses " and \\ in it).
 */
export function fromHeader(fromAddress: string, displayName?: string): string {
  if (!displayName) return fromAddress;
  const address = /<([^<>]+)>\s*$/.exec(fromAddress)?.[1] ?? fromAddress.trim();
  const name = /^[\x20-\x7e]*$/.test(displayName) ? `"${displayName}"` : `=?UTF-8?B?${Buffer.from(displayName, 'utf8').toString('base64')}?=`;
  return `${name} <${address}>`;
}

/** Email through Amazon SES (API v2 SendEmail), with a plain-text and an HTML body. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: EmailSettings,
  ) {}

  async send({ to, subject, text, html, fromName }: { to: string; subject: string; text: string; html: string; fromName?: string }): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: fromHeader(this.settings.fromAddress, fromName),
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
