/**
 * The local DynamoDB engine's process: `node --import tsx engine-main.ts [path]` serves the engine
 * (./engine.ts) on a free loopback port, on a store at `path` (in memory without one), and tells
 * its parent the port over the IPC channel. It stops, closing its store, when asked to (SIGTERM,
 * SIGINT) or when its parent goes away.
 */
import type { AddressInfo } from 'node:net';
import { createEngine } from './engine';

const path = process.argv[2] || undefined;
const engine = createEngine(path ? { path } : {});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void engine.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// the parent's end of the channel closes when it exits, even when it is killed
process.on('disconnect', stop);
engine.server.listen(0, '127.0.0.1', () => {
  const { port } = engine.server.address() as AddressInfo;
  process.send?.({ port });
});
