/** The parts that need no AWS client: the configuration, the clock and randomness. */
import { nodeRandom, systemClock } from '@twofold/adapters/system';
import type { Dependencies } from '../dependencies';
import type { Part } from '../wiring';

export const config: Part<Dependencies['config']> = (w) => w.config;
export const clock: Part<Dependencies['clock']> = (w) => w.overrides.clock ?? systemClock;
export const random: Part<Dependencies['random']> = (w) => w.overrides.random ?? nodeRandom;
