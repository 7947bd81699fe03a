import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecurityEvent } from '@twofold/contract/events';
import { EventsRefused } from '@twofold/core/events';
import type { EventPublisher } from '@twofold/core/ports';

/** The local stand-in for the EventBridge bus: published events in a JSON-lines file (or memory), oldest first. */
export class LocalEventLog implements EventPublisher {
  private readonly memory: SecurityEvent[] = [];
  /** Tests set this to make publishing fail. */
  failing = false;
  /** Tests set this to make the bus refuse some events (as EventBridge refuses entries): the reason, or undefined to take it. */
  refuses: ((event: SecurityEvent) => string | undefined) | undefined;

  constructor(private readonly file?: string) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  async publish(events: SecurityEvent[]): Promise<void> {
    if (this.failing) throw new Error('local event bus is set to fail');
    const refused = events.flatMap((e) => {
      const reason = this.refuses?.(e);
      return reason === undefined ? [] : [{ eventId: e.eventId, reason }];
    });
    const taken = events.filter((e) => !refused.some((r) => r.eventId === e.eventId));
    if (this.file && taken.length > 0) appendFileSync(this.file, taken.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    else if (!this.file) this.memory.push(...taken);
    if (refused.length > 0) throw new EventsRefused(refused);
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
