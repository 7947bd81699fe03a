/**
 * Stand-ins for the ports that would reach KMS, EventBridge, SNS and SES, each writing what it
 * was asked into the call log, so that calls per verification and per send are counted, not
 * guessed. The key vault wraps the real LocalKeyVault (AES-256-GCM under an in-memory master
 * key); KmsKeyVault makes exactly one KMS request per port call (its requests are asserted in
 * test/adapters/key-vault.contract.test.ts), so a port call here is a KMS call there.
 */
import { LocalKeyVault, nodeRandom } from '@twofold/adapters';
import type { SecurityEvent } from '@twofold/contract';
import type { EmailSender, EncryptionContext, EventPublisher, KeyVault, SmsSender } from '@twofold/core';
import type { CallLog } from './call-log';

export class CountingKeyVault implements KeyVault {
  private readonly inner = LocalKeyVault.inMemory(nodeRandom);

  constructor(private readonly log: CallLog) {}

  generateDataKey(context: EncryptionContext) {
    this.log.record('KMS', 'GenerateDataKey');
    return this.inner.generateDataKey(context);
  }

  decryptDataKey(wrapped: string, context: EncryptionContext) {
    this.log.record('KMS', 'Decrypt');
    return this.inner.decryptDataKey(wrapped, context);
  }
}

/** The EventBridge bus: one PutEvents per publish. */
export class CountingPublisher implements EventPublisher {
  published = 0;

  constructor(private readonly log: CallLog) {}

  async publish(events: SecurityEvent[]): Promise<void> {
    this.log.record('EventBridge', 'PutEvents');
    this.published += events.length;
  }
}

/**
 * SNS and SES: each message counted and its code kept (the newest per destination), so that the
 * bench can confirm SMS and email factors as a user would, with the code that was sent.
 */
export class CapturingSenders {
  private readonly codes = new Map<string, string>();
  readonly sms: SmsSender;
  readonly email: EmailSender;

  constructor(log: CallLog) {
    const keep = (to: string, text: string) => {
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      if (code) this.codes.set(to, code);
    };
    this.sms = {
      send: async ({ to, body }) => {
        log.record('SNS', 'Publish');
        keep(to, body);
      },
    };
    this.email = {
      send: async ({ to, text }) => {
        log.record('SES', 'SendEmail');
        keep(to, text);
      },
    };
  }

  lastCode(to: string): string {
    const code = this.codes.get(to);
    if (!code) throw new Error(`bench: no code was sent to ${to}`);
    return code;
  }
}
