import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecurityEvent } from '@twofold/contract/events';
import type { EventPublisher } from '@twofold/core/ports';

/** The local stand-in for the EventBridge bus: published events in a JSON-lines file (or memory), oldest first. */
export class LocalEventLog implements EventPublisher {
  private readonly memory: SecurityEvent[] = [];
  /** Tests set this to make publishing fail. */
  failing = false;

  constructor(private readonly file?: string) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  async publish(events: SecurityEvent[]): Promise<void> {
    if (this.failing) throw new Error('local event bus is set to fail');
    if (this.file) appendFileSync(this.file, events.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    else this.memory.push(...events);
  }

  list(): SecurityEvent[] {
    if (!this.file) return [...this.memory];
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SecurityEvent);
  }
}
