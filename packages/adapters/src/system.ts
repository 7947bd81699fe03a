import { randomBytes } from 'node:crypto';
import type { Clock, Random } from '@twofold/core/ports';

export const systemClock: Clock = { nowMs: () => Date.now() };

export const nodeRandom: Random = { bytes: (length) => new Uint8Array(randomBytes(length)) };
