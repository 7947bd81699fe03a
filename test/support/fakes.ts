import { nodeRandom } from '@twofold/adapters';
import type { Clock, Random } from '@twofold/core';

/** A clock that only moves when the test says so. */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-11-22T10:00:00Z')) {}
  nowMs() {
    return this.ms;
  }
  advanceSeconds(seconds: number) {
    this.ms += seconds * 1000;
  }
  set(ms: number) {
    this.ms = ms;
  }
}

export const random: Random = nodeRandom;
