import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock, SmsSender } from '@twofold/core/ports';

export interface OutboxMessage {
  channel: 'sms';
  to: string;
  body: string;
  sentAt: string;
}

/**
 * The local stand-in for SNS: text messages land in an outbox (a JSON-lines file under the data
 * directory, or memory) where a developer, a test or the /_local/outbox page reads them.
 */
export class LocalSmsOutbox implements SmsSender {
  private readonly memory: OutboxMessage[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly file?: string,
  ) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  async send({ to, body }: { to: string; body: string }): Promise<void> {
    const message: OutboxMessage = { channel: 'sms', to, body, sentAt: new Date(this.clock.nowMs()).toISOString() };
    if (this.file) appendFileSync(this.file, JSON.stringify(message) + '\n', { mode: 0o600 });
    else this.memory.push(message);
  }

  list(): OutboxMessage[] {
    if (!this.file) return [...this.memory];
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OutboxMessage);
  }
}
