/** The email sender: Amazon SES, or none (its own module: see parts.ts). */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesEmailSender } from '@twofold/adapters/aws/ses-email-sender';
import type { Dependencies } from '../dependencies';
import type { Part } from '../wiring';

export const email: Part<Dependencies['email']> = (w) => {
  if ('email' in w.overrides) return w.overrides.email;
  const { email } = w.config;
  if (email.kind !== 'ses') return undefined;
  const client = new SESv2Client({
    region: w.config.region,
    ...(email.endpoint ? { endpoint: email.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return new SesEmailSender(client, email);
};
