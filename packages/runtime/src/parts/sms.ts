/** The SMS sender: Amazon SNS, Twilio or Vonage (credentials in Secrets Manager), a local outbox or none (its own module: see parts.ts). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { secretsManagerSecret } from '@twofold/adapters/aws/secrets-manager-secret';
import { SnsSmsSender } from '@twofold/adapters/aws/sns-sms-sender';
import { LocalSmsOutbox } from '@twofold/adapters/local/local-sms-outbox';
import { TwilioCredentials, TwilioSmsSender } from '@twofold/adapters/twilio/twilio-sms-sender';
import { VonageCredentials, VonageSmsSender } from '@twofold/adapters/vonage/vonage-sms-sender';
import type { Dependencies } from '../dependencies';
import type { Part } from '../wiring';
import { clock } from './basics';

export const sms: Part<Dependencies['sms']> = (w) => {
  if ('sms' in w.overrides) return w.overrides.sms;
  const { sms } = w.config;
  if (sms.kind === 'sns') return new SnsSmsSender(new SNSClient({ region: w.config.region }), sms);
  // the credentials are read from Secrets Manager once per container, on the first send
  if (sms.kind === 'twilio' || sms.kind === 'vonage') {
    const client = new SecretsManagerClient({ region: w.config.region });
    const baseUrl = sms.apiUrl ? { baseUrl: sms.apiUrl } : {};
    return sms.kind === 'twilio'
      ? new TwilioSmsSender({ credentials: secretsManagerSecret(client, sms.secretId, TwilioCredentials), ...baseUrl })
      : new VonageSmsSender({ credentials: secretsManagerSecret(client, sms.secretId, VonageCredentials), ...baseUrl });
  }
  if (sms.kind === 'local') return new LocalSmsOutbox(w.get(clock), sms.outboxFile);
  return undefined;
};
