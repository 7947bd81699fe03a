/**
 * The composition root: what a container holds, and how a function gets its own. In Lambda a
 * function builds, once per container (cold start), just the parts it wires (parts.ts); the
 * local runtime, tests and bench build every part with `buildDependencies` and provide it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadConfig, type Config } from './config';
import type { Dependencies } from './dependencies';
import * as part from './parts';
import { wire, Wiring, type Overrides, type Part, type Parts, type Views } from './wiring';

export type { Overrides, Storage } from './wiring';
export type { Dependencies } from './dependencies';


/** Every part, wired: the container of the local runtime, tests and bench. */
export function buildDependencies(config: Config, overrides: Overrides = {}): Dependencies {
  // every part under its own name (the reader is a narrower view of `users`, for functions that only read users)
  const { userReader: _, ...every } = part;
  return wire(every satisfies Required<Parts>)(new Wiring(config, overrides));
}

let provided: Dependencies | undefined;
const chosen = new AsyncLocalStorage<Dependencies>();

/** For the local runtime, tests and bench: every function uses this container instead of building its own. */
export function provideDependencies(deps: Dependencies): void {
  provided = deps;
}

/**
 * Runs `invoke` (a handler's call) in this container instead of the provided one: the local
 * runtime's way to run several containers of a function in one process, as Lambda runs many.
 */
export function inContainer<T>(deps: Dependencies, invoke: () => T): T {
  return chosen.run(deps, invoke);
}

/**
 * A function's dependencies: made on first use from the environment with the function's own
 * wiring (parsing the configuration then, so that a bad setting fails the cold start loudly),
 * or the provided container (or the one inContainer chose), which has every part.
 */
export function containerOf<D extends Partial<Views>>(wiring: Part<D>): () => D {
  let own: D | undefined;
  return () => ((chosen.getStore() ?? provided) as D | undefined) ?? (own ??= wiring(new Wiring(loadConfig(process.env))));
}
